// A wsgrid client for fault tests that run it inside a network namespace (a host the test process
// cannot reach while it is cut off): subscribes to channels, publishes to them at a steady rate,
// records every publication and the close, and writes what it saw as JSON at the end.
// Usage: node recorder.js <ws url> <channel prefix> <channel count> <data prefix> <publications/s> <seconds> <out file>
// Prints SUBSCRIBED once every subscribe is answered (so a test knows when to start its clock).
"use strict";
const WebSocket = require("ws");
const fs = require("fs");
const [, , url, channelPrefix, countText, dataPrefix, rateText, secondsText, outFile] = process.argv;
const channels = Array.from({length: Number(countText)}, (_, i) => channelPrefix + i);
const rate = Number(rateText);
const out = {epochs: {}, received: {}, acked: 0, errors: [], closed: null};
const sent = {};
let nextId = 1;
let publishing = null;

const ws = new WebSocket(url, {perMessageDeflate: false});
ws.on("message", raw => {
  const frame = JSON.parse(raw.toString());
  if (frame.op === "connected") {
    for (const channel of channels) ws.send(JSON.stringify({id: nextId++, op: "subscribe", channel}));
    return;
  }
  if (frame.channel !== undefined) {
    (out.received[frame.channel] = out.received[frame.channel] || []).push([frame.offset, frame.data]);
    return;
  }
  if (frame.error) {
    out.errors.push(frame.error);
  } else if (frame.id <= channels.length) {
    out.epochs[channels[frame.id - 1]] = frame.epoch;
    if (Object.keys(out.epochs).length === channels.length) start();
  } else {
    out.acked++;
  }
});
ws.on("close", (code, reason) => {
  out.closed = {code, reason: reason.toString(), at: Date.now()};
  if (publishing) clearInterval(publishing);
});
ws.on("error", e => out.errors.push({code: "socket", message: String(e)}));

function start() {
  console.log("SUBSCRIBED");
  let n = 0;
  const perTick = Math.max(1, Math.round(rate / 20));
  publishing = setInterval(() => {
    for (let i = 0; i < perTick && ws.readyState === WebSocket.OPEN; i++, n++) {
      const channel = channels[n % channels.length];
      sent[channel] = (sent[channel] || 0) + 1;
      ws.send(JSON.stringify({id: nextId++, op: "publish", channel, data: dataPrefix + (sent[channel] - 1)}));
    }
  }, 50);
  setTimeout(() => {
    clearInterval(publishing);
    setTimeout(() => {
      fs.writeFileSync(outFile, JSON.stringify(out));
      console.log("DONE");
      ws.terminate();
      process.exit(0);
    }, 3000);
  }, Number(secondsText) * 1000);
}
