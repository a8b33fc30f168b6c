// The event-bus bridge client BridgeIT drives (docs/operations.md, Bridges): the npm package
// @vertx/eventbus-bridge-client.js over sockjs-client, on Node 20 with no polyfill (sockjs-client's Node build brings
// its own WebSocket and XHR transports). Usage: node bridge-client.js http://127.0.0.1:PORT/eventbus
// Prints one JSON object a line on stdout: open, stats, alert, reply, refused, closed. Runs until stdin closes or
// it is killed by the test.
'use strict';
const EventBus = require('@vertx/eventbus-bridge-client.js');

const url = process.argv[2];
const eb = new EventBus(url);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

// Refusals come back as error frames without an address; the client hands them to onerror. The test sends one
// refused message at a time, named by the last "asking" line.
let asking = null;
eb.onerror = (err) => out({ event: 'refused', asking, error: err });

let open = false;
const waiting = [];

function send(cmd) {
  asking = cmd.address;
  eb.send(cmd.address, cmd.body, {}, (err, msg) => {
    out(err ? { event: 'replyError', address: cmd.address, error: err } : { event: 'reply', address: cmd.address, body: msg.body });
  });
}

eb.onopen = () => {
  open = true;
  out({ event: 'open' });
  waiting.splice(0).forEach(send);
  eb.registerHandler('switchboard.stats.cluster', (err, msg) => {
    if (!err) out({ event: 'stats', body: msg.body });
  });
  eb.registerHandler('switchboard.alerts', (err, msg) => {
    if (!err) out({ event: 'alert', body: msg.body });
  });
};
eb.onclose = () => out({ event: 'closed' });

// Commands from the test, one JSON object a line on stdin: {address, body}; kept until the bridge is open.
let buffered = '';
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  let nl;
  while ((nl = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    if (open) send(cmd); else waiting.push(cmd);
  }
});
process.stdin.on('end', () => {
  eb.close();
  process.exit(0);
});
