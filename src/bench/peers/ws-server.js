// Peer for single-node fan-out: one Node.js process on the `ws` package, broadcasting a channel to
// its subscribers. It speaks the subset of the wsgrid protocol the load generator uses:
// {"op":"connected"} first, subscribe/unsubscribe/publish with {"id":n,"ok":true} replies, publications as
// {"channel","offset","data"}. Usage: node ws-server.js <port>
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 9200);
const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/ws', perMessageDeflate: false, maxPayload: 65536 });
const channels = new Map(); // channel -> Set of sockets
const offsets = new Map();
let clients = 0;

wss.on('connection', (ws) => {
  ws.subs = new Set();
  ws.send(JSON.stringify({ op: 'connected', node: 'node-ws', client: String(++clients) }));
  ws.on('message', (raw, isBinary) => {
    let m;
    try {
      if (isBinary) throw new Error('binary');
      m = JSON.parse(raw);
    } catch (e) {
      ws.send(JSON.stringify({ error: { code: 'bad_request', message: 'frames are JSON text' } }));
      return;
    }
    if (m.op === 'subscribe' && typeof m.channel === 'string') {
      let set = channels.get(m.channel);
      if (!set) channels.set(m.channel, (set = new Set()));
      set.add(ws);
      ws.subs.add(m.channel);
      ws.send(JSON.stringify({ id: m.id, ok: true }));
    } else if (m.op === 'unsubscribe' && typeof m.channel === 'string') {
      leave(ws, m.channel);
      ws.send(JSON.stringify({ id: m.id, ok: true }));
    } else if (m.op === 'publish' && typeof m.channel === 'string') {
      const offset = (offsets.get(m.channel) || 0) + 1;
      offsets.set(m.channel, offset);
      const frame = JSON.stringify({ channel: m.channel, offset, data: m.data });
      const set = channels.get(m.channel);
      if (set) for (const s of set) s.send(frame);
      ws.send(JSON.stringify({ id: m.id, ok: true, offset }));
    } else if (m.op === 'ping') {
      ws.send(JSON.stringify({ id: m.id, ok: true }));
    } else {
      ws.send(JSON.stringify({ id: m.id, error: { code: 'unknown_op', message: 'subscribe, publish or ping' } }));
    }
  });
  ws.on('close', () => {
    for (const channel of [...ws.subs]) leave(ws, channel);
  });
});

function leave(ws, channel) {
  const set = channels.get(channel);
  if (!set) return;
  set.delete(ws);
  ws.subs.delete(channel);
  if (set.size === 0) channels.delete(channel);
}
wss.on('listening', () => console.log(`ws peer listening on ws://127.0.0.1:${port}/ws`));
