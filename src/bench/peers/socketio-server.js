// Peer for cluster fan-out: Socket.IO with @socket.io/redis-adapter; run several processes against
// one redis-server and a message emitted to a room on any of them reaches the room's sockets on
// all. Events: subscribe(channel, ack) joins the room, unsubscribe(channel, ack) leaves it; publish(channel, data, ack) emits
// "message" {channel, offset, data} to the room (offset counts per process: Socket.IO gives no
// order across processes). WebSocket transport only, no compression, as the wsgrid runs.
// Usage: node socketio-server.js <port> [redis://127.0.0.1:6379]
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

const port = Number(process.argv[2] || 9300);
const redisUrl = process.argv[3] || 'redis://127.0.0.1:6379';

async function main() {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  pub.on('error', (e) => console.error('redis:', e.message));
  sub.on('error', (e) => console.error('redis:', e.message));
  await Promise.all([pub.connect(), sub.connect()]);
  const server = http.createServer();
  const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
  io.adapter(createAdapter(pub, sub));
  let offset = 0;
  io.on('connection', (socket) => {
    socket.on('subscribe', (channel, ack) => {
      socket.join(channel);
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('unsubscribe', (channel, ack) => {
      socket.leave(channel);
      if (typeof ack === 'function') ack({ ok: true });
    });
    socket.on('publish', (channel, data, ack) => {
      io.to(channel).emit('message', { channel, offset: ++offset, data });
      if (typeof ack === 'function') ack({ ok: true });
    });
  });
  server.listen(port, '127.0.0.1', () => console.log(`socket.io peer listening on ws://127.0.0.1:${port} (redis ${redisUrl})`));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
