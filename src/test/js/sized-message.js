// Sends one publish of exactly <bytes> bytes with the ws package, as an application would, for
// FrameLimitIT: prints CONNECTED once the node's first frame arrived, REPLY <json> for the node's
// answer, and CLOSED {"code","reason","ms"} when the connection has ended (ms: from the send to the
// TCP close). The script ends on a close; after a REPLY it stays until the test ends it.
// Usage: node sized-message.js <ws url> <bytes> <deflate: true|false>
// With deflate (ws's default, as in browsers) the frame travels compressed (permessage-deflate).
const WebSocket = require("ws");
const [, , url, bytesText, deflateText] = process.argv;

const ws = new WebSocket(url, {perMessageDeflate: deflateText === "true"});
let sentAt = 0;
ws.on("message", data => {
  if (sentAt) {
    console.log("REPLY " + String(data));
    return;
  }
  console.log("CONNECTED " + JSON.stringify({extensions: ws.extensions}));
  const head = '{"id":1,"op":"publish","channel":"chat.big","data":"';
  const message = head + "x".repeat(Number(bytesText) - head.length - 2) + '"}';
  sentAt = Date.now();
  ws.send(message); // one unfragmented frame
});
ws.on("error", e => console.log("SOCKET_ERROR " + JSON.stringify(String(e.message)))); // a reset after the close frame
ws.on("close", (code, reason) => {
  console.log("CLOSED " + JSON.stringify({code, reason: String(reason), ms: sentAt ? Date.now() - sentAt : -1}));
  process.exit(0);
});
setTimeout(() => {
  console.log("FAILED no close within 30 s");
  process.exit(2);
}, 30_000);
