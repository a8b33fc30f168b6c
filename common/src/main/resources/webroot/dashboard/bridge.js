// A small client of the SockJS event-bus bridge over its raw WebSocket transport, /eventbus/websocket
// (docs/operations.md, "Bridges" and "Dashboard"): one bridge JSON message per WebSocket message, both ways.
// It registers for the addresses it is given, pings every 5 s (the bridge closes a socket silent for 10 s),
// sends read queries with a reply address, and reconnects with a growing delay after the socket closes.

const PING_MS = 5000;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];
const REQUEST_TIMEOUT_MS = 5000;

export class Bridge {
  constructor(url, listeners) {
    this.url = url;
    this.listeners = listeners;
    this.handlers = new Map();
    this.pending = new Map();
    this.decoder = new TextDecoder();
    this.attempt = 0;
    this.ws = null;
    this.open = false;
    this.pinger = null;
    this.counter = 0;
  }

  on(address, handler) {
    this.handlers.set(address, handler);
    return this;
  }

  connect() {
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.open = true;
      this.attempt = 0;
      for (const address of this.handlers.keys()) {
        this.write({ type: 'register', address });
      }
      this.pinger = setInterval(() => this.write({ type: 'ping' }), PING_MS);
      this.listeners.open();
    };
    ws.onmessage = (e) => this.received(typeof e.data === 'string' ? e.data : this.decoder.decode(e.data));
    ws.onclose = () => this.closed(ws);
    ws.onerror = () => {};
  }

  closed(ws) {
    if (ws !== this.ws) {
      return;
    }
    const wasOpen = this.open;
    this.open = false;
    clearInterval(this.pinger);
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new Error('the bridge closed'));
    }
    this.pending.clear();
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.listeners.close(wasOpen, delay);
    setTimeout(() => this.connect(), delay * (0.75 + Math.random() * 0.5));
  }

  write(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
    }
  }

  received(text) {
    let m;
    try {
      m = JSON.parse(text);
    } catch (e) {
      return;
    }
    const p = m.address && this.pending.get(m.address);
    if (p) {
      this.pending.delete(m.address);
      clearTimeout(p.timer);
      if (m.type === 'err') {
        p.reject(new Error(m.message || m.body || 'refused'));
      } else {
        p.resolve(m.body);
      }
      return;
    }
    if (m.type === 'rec') {
      const h = this.handlers.get(m.address);
      if (h) {
        h(m.body);
      }
    } else if (m.type === 'err') {
      this.listeners.refused(m);
    }
  }

  /** A read query (switchboard.stats.query, switchboard.alerts.query): resolves with the reply's body. */
  request(address, body) {
    return new Promise((resolve, reject) => {
      if (!this.open) {
        reject(new Error('the bridge is not open'));
        return;
      }
      const replyAddress = `dashboard.reply.${Date.now().toString(36)}.${++this.counter}`;
      const timer = setTimeout(() => {
        this.pending.delete(replyAddress);
        reject(new Error(`no answer from ${address} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(replyAddress, { resolve, reject, timer });
      this.write({ type: 'send', address, body, replyAddress });
    });
  }
}
