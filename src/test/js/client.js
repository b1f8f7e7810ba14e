// Drives wsgrid.js (as a node serves it) in Node.js for the Java tests (testing/NodeScript): reads
// commands as JSON lines on stdin, prints events as lines "<WORD> <json>" on stdout.
// Usage: node --unhandled-rejections=strict client.js <http url of a node> '<{"urls":[…],"options":{…}}>'
// Commands:
//   {"cmd":"subscribe","channels":[…]}  -> SUBSCRIBED {"ok":n,"refused":[{"channel","code"}…]} once every promise settled
//   {"cmd":"ignore","channel":…}         -> subscribes and drops the promise (a refusal must not end the process)
//   {"cmd":"report"}                     -> REPORT {"node","reconnects","received":{channel:[data…]}}
//   {"cmd":"exit"}                       -> closes the client and exits 0
// Events: OPEN <url> (each WebSocket the client creates), CONNECTED <node>, ERROR {code,channel,message},
// RECOVERY_FAILED <channel>.
const WebSocket = require("ws");
const readline = require("readline");
const [, , httpUrl, configText] = process.argv;
const config = JSON.parse(configText);

function emit(word, value) {
  console.log(word + " " + JSON.stringify(value === undefined ? null : value));
}

class CountingWebSocket extends WebSocket {
  constructor(url, ...rest) {
    super(url, ...rest);
    emit("OPEN", url);
  }
}

(async () => {
  const source = await (await fetch(httpUrl + "/wsgrid.js")).text();
  const module = {exports: {}};
  new Function("module", source)(module);
  const {WsgridClient} = module.exports;
  const received = {};
  const client = new WsgridClient(config.urls, Object.assign({WebSocket: CountingWebSocket}, config.options || {}));
  client.onconnected = node => emit("CONNECTED", node);
  client.onerror = e => emit("ERROR", {code: e.code, channel: e.channel, message: e.message});
  client.onrecoveryfailed = channel => emit("RECOVERY_FAILED", channel);
  const commands = {
    subscribe(command) {
      const settled = command.channels.map(channel =>
        client.subscribe(channel, pub => (received[channel] = received[channel] || []).push(pub.data))
          .then(() => null, e => ({channel, code: e.code})));
      Promise.all(settled).then(results => {
        const refused = results.filter(r => r !== null);
        emit("SUBSCRIBED", {ok: results.length - refused.length, refused});
      });
    },
    ignore(command) {
      client.subscribe(command.channel, () => {});
      emit("IGNORED", command.channel);
    },
    report() {
      emit("REPORT", {node: client.node, reconnects: client.reconnects, received});
    },
    exit() {
      client.close();
      process.exit(0);
    },
  };
  readline.createInterface({input: process.stdin}).on("line", line => {
    const command = JSON.parse(line);
    commands[command.cmd](command);
  }).on("close", () => process.exit(0)); // the test ended
  emit("STARTED", config.urls);
})().catch(e => {
  emit("FAILED", String(e && e.stack || e));
  process.exit(2);
});
