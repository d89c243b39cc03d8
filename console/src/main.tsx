// The console's entry: one page, the screens chosen by the signed-in person's role.
import { render } from 'preact';
import { App } from './app';
import './styles.css';

render(<App />, document.getElementById('app')!);
