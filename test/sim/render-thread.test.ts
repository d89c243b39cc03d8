import { expect } from 'chai';
import { audioPlan, defaultConversation, renderFrames } from '../../src/sim/recording-audio';
import { RenderThread } from '../../src/sim/render-thread';

describe("the simulator's recording render thread", () => {
  it('renders the same bytes as the main thread would, off the main thread, many requests at once', async () => {
    const thread = new RenderThread();
    const plans = [11, 12, 13].map((seed) => audioPlan({ seconds: 30, channels: 2, talk: defaultConversation(seed, 0, 30), pauses: [], seed }));
    const asked = plans.flatMap((plan) => [0, 40_000, 120_000].map((from) => ({ plan, from, to: from + 40_000 })));
    const got = await Promise.all(asked.map((a) => thread.render(a.plan, a.from, a.to)));
    expect(thread.threaded, 'the worker thread runs (tsx is in the process flags)').to.equal(true);
    got.forEach((buf, i) => expect(buf.equals(renderFrames(asked[i].plan, asked[i].from, asked[i].to)), `request ${i}`).to.equal(true));
  });
});
