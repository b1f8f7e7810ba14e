// Drives wsgrid.js (as served by the edge) in Node.js for WsgridJsIT: prints CONNECTED <node>,
// SUBSCRIBED <offset>, then DONE <json> once `total` publications arrived (or FAILED <why>).
// Usage: node failover.js <edge ws url> <edge http url> <channel> <total>
const WebSocket = require("ws");
const [, , wsUrl, httpUrl, channel, totalText] = process.argv;
const total = Number(totalText);

(async () => {
  const source = await (await fetch(httpUrl + "/wsgrid.js")).text();
  const module = {exports: {}};
  new Function("module", source)(module);
  const {WsgridClient} = module.exports;
  const received = [];
  const client = new WsgridClient(wsUrl, {WebSocket, baseDelay: 50, maxDelay: 1000});
  let subscribed = false;
  client.onconnected = node => {
    console.log("CONNECTED " + node);
    if (subscribed) return;
    subscribed = true;
    client.subscribe(channel, pub => {
      received.push({offset: pub.offset, data: pub.data});
      if (received.length === total) {
        console.log("DONE " + JSON.stringify({received, reconnects: client.reconnects}));
        client.close();
        process.exit(0);
      }
    }).then(reply => console.log("SUBSCRIBED " + (reply ? reply.offset : "?")));
  };
  client.onrecoveryfailed = ch => console.log("RECOVERY_FAILED " + ch);
  setTimeout(() => {
    console.log("FAILED timeout: " + JSON.stringify({received}));
    process.exit(1);
  }, 60000);
})().catch(e => {
  console.log("FAILED " + e);
  process.exit(2);
});
