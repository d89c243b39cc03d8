// The page at GET /: says what this server is and how to try it, until the browser console is served here.

/** A self-contained page (no scripts, no external assets), allowed by helmet's default Content-Security-Policy. */
export function homePage(simulator: boolean): string {
  const mode = simulator
    ? 'It runs in <strong>simulator mode</strong>: the built-in carrier simulator plays Twilio, so you can place calls from a terminal.'
    : 'It is connected to Twilio: the carrier posts signed webhooks to <code>/twilio/…</code>.';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>hotline</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem;color:#222}code,pre{background:#f3f3f3;border-radius:4px;padding:.1rem .3rem}pre{padding:.6rem}</style>
</head>
<body>
<h1>hotline</h1>
<p>The call-center backend of a 400 hotline: IVR, queues, the front desk's agents, work orders. ${mode}</p>
<ul>
<li><a href="/health">/health</a>: is the server up (JSON)</li>
<li><code>/api/…</code>: the staff REST API (sign in with <code>POST /api/auth/login</code>); <code>/ws</code>: the live feed</li>
<li><code>/twilio/…</code>: the carrier's webhooks (signed; not for a browser)</li>
</ul>
${
  simulator
    ? `<p>Try it, in another terminal:</p>
<pre>npm run agent -- --user agent1
npm run call -- --from +8613911112222 --press 1 --press 0 --wait 60</pre>
<p>These commands find the server and its simulator through the settings the server reads (<code>PORT</code>, <code>SIMULATOR_PORT</code>, <code>SIMULATOR_URL</code>, <code>PUBLIC_BASE_URL</code>, from the environment or <code>.env</code>): if you started the server with other values, give them the same ones, e.g. <code>PORT=3100 SIMULATOR_PORT=4110 npm run call -- …</code>.</p>
<p>The hotline keeps the center's business hours (in <code>TZ</code>): to try it at any hour, start the server with <code>HOTLINE_HOURS=open npm start</code>.</p>`
    : ''
}
<p>The README explains the rest.</p>
</body>
</html>
`;
}
