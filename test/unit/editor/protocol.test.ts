import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageHandler, type HostEvent, type HostRequests, type WebviewEvent, type WebviewRequests } from '../../../src/protocol.js';

/** Both ends of the channel, joined through a structured clone as postMessage would. */
function pair() {
  const hostEvents: WebviewEvent[] = [];
  const viewEvents: HostEvent[] = [];
  // eslint-disable-next-line prefer-const -- each end's post refers to the other, assigned below
  let view: MessageHandler<WebviewEvent, HostEvent, WebviewRequests, HostRequests>;
  const host = new MessageHandler<HostEvent, WebviewEvent, HostRequests, WebviewRequests>(
    (m) => queueMicrotask(() => void view.receive(structuredClone(m))),
    {
      graph: ({ graph }) => ({ id: graph, title: 't', kind: 'main', nodes: [], values: [], inputs: [], outputs: [], groups: [] }),
      node: () => { throw new Error('The graph has no node #3; the model may have changed.\nstack line'); },
      tensor: async () => { throw 'plain'; },
      save: async ({ data }) => ({ saved: typeof data !== 'string' && data.length === 3 }),
      openSource: ({ line }) => ({ opened: line > 0 }),
    },
    (e) => hostEvents.push(e),
  );
  view = new MessageHandler<WebviewEvent, HostEvent, WebviewRequests, HostRequests>(
    (m) => queueMicrotask(() => void host.receive(structuredClone(m))),
    { export: ({ format }) => ({ data: format, suggestedName: 'x' }) },
    (e) => viewEvents.push(e),
  );
  return { host, view, hostEvents, viewEvents };
}

test('requests get their own replies, in both directions, with typed results', async () => {
  const { host, view } = pair();
  const [a, b] = await Promise.all([view.request('graph', { graph: 'A' }), view.request('graph', { graph: 'B' })]);
  assert.equal(a.id, 'A');
  assert.equal(b.id, 'B');
  assert.deepEqual(await host.request('export', { format: 'svg' }), { data: 'svg', suggestedName: 'x' });
  assert.deepEqual(await view.request('save', { format: 'png', data: Uint8Array.of(1, 2, 3), suggestedName: 'g' }), { saved: true });
});

test('a failing handler rejects the request with one line', async () => {
  const { view } = pair();
  await assert.rejects(view.request('node', { graph: '', node: 3 }), (e: Error) => e.message === 'The graph has no node #3; the model may have changed.');
  await assert.rejects(view.request('tensor', { ref: { graph: '' }, offset: 0, count: 1 }), /plain/);
});

test('events arrive in order; unknown and malformed messages are ignored; dispose rejects what waits', async () => {
  const { host, view, hostEvents, viewEvents } = pair();
  view.event({ type: 'ready' });
  host.event({ type: 'revealNode', nodeName: '<b>x</b>' });
  host.event({ type: 'runtimeOverlay', overlay: null });
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(hostEvents, [{ type: 'ready' }]);
  assert.deepEqual(viewEvents.map((e) => e.type), ['revealNode', 'runtimeOverlay']);
  await view.receive(undefined as never);
  await view.receive({ kind: 'reply', id: 999, result: 1 });
  const waiting = view.request('graph', { graph: 'never' });
  view.dispose();
  await assert.rejects(waiting, /closed/);
});
