// The monitor stream /ws (docs/monitor.md) for the executions feed: one socket, opened when the first execution
// is to be watched, subscribed to each execution id the feed shows; status, log and metrics frames are handed on.
// /ws exists on hub nodes only; on another node the feed still lists tool calls, without their status.

const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];

export class Monitor {
  constructor(url, onFrame, onState) {
    this.url = url;
    this.onFrame = onFrame;
    this.onState = onState;
    this.watched = new Set();
    this.ws = null;
    this.attempt = 0;
    this.retry = null;
  }

  watch(executionId) {
    if (this.watched.has(executionId)) {
      return;
    }
    this.watched.add(executionId);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.send({ type: 'subscribe', executionId });
    } else if (!this.ws && !this.retry) {
      this.connect();
    }
  }

  unwatch(executionId) {
    if (this.watched.delete(executionId)) {
      this.send({ type: 'unsubscribe', executionId });
    }
  }

  connect() {
    this.retry = null;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.onState('open');
      for (const executionId of this.watched) {
        this.send({ type: 'subscribe', executionId });
      }
    };
    ws.onmessage = (e) => {
      let f;
      try {
        f = JSON.parse(e.data);
      } catch (err) {
        return;
      }
      this.onFrame(f);
    };
    ws.onerror = () => {};
    ws.onclose = () => {
      if (this.ws !== ws) {
        return;
      }
      this.ws = null;
      this.onState('closed');
      if (this.watched.size > 0) {
        const delay = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)];
        this.retry = setTimeout(() => this.connect(), delay);
      }
    };
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
    }
  }
}
