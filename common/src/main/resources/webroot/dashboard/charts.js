// Charts of the last 15 minutes (docs/operations.md, "Dashboard"): a rolling buffer per series, filled from each
// ClusterStats the bridge pushes, drawn with uPlot (served from its WebJar).
import uPlot from './vendor/uplot/uPlot.esm.js';

export const SPAN_S = 15 * 60;
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** Timestamps (s) and one array of values per series name; points older than SPAN_S are dropped. */
export class Rolling {
  constructor() {
    this.t = [];
    this.series = new Map();
  }

  push(ts, values) {
    const n = this.t.length;
    if (n > 0 && ts <= this.t[n - 1]) {
      return;
    }
    this.t.push(ts);
    for (const [name, v] of Object.entries(values)) {
      if (!this.series.has(name)) {
        this.series.set(name, new Array(n).fill(null));
      }
    }
    for (const [name, arr] of this.series) {
      arr.push(name in values ? values[name] : null);
    }
    let drop = 0;
    while (drop < this.t.length && this.t[drop] < ts - SPAN_S) {
      drop++;
    }
    if (drop > 0) {
      this.t.splice(0, drop);
      for (const [name, arr] of this.series) {
        arr.splice(0, drop);
        if (arr.every((v) => v === null)) {
          this.series.delete(name);
        }
      }
    }
  }

  names() {
    return [...this.series.keys()].sort();
  }

  data(names) {
    return [this.t, ...names.map((n) => this.series.get(n))];
  }
}

/** One chart of a Rolling buffer; rebuilt when its set of series changes. */
export class Chart {
  constructor(container, title, unit) {
    this.container = container;
    this.title = title;
    this.unit = unit;
    this.plot = null;
    this.names = '';
  }

  width() {
    return Math.max(240, this.container.clientWidth - 8);
  }

  draw(rolling) {
    const names = rolling.names();
    const key = names.join('\u0000');
    if (!this.plot || key !== this.names) {
      if (this.plot) {
        this.plot.destroy();
      }
      this.names = key;
      const opts = {
        title: this.title,
        width: this.width(),
        height: 160,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [{}, { label: this.unit, size: 56 }],
        series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false }))],
      };
      this.plot = new uPlot(opts, rolling.data(names), this.container);
    } else {
      this.plot.setData(rolling.data(names));
    }
  }

  resize() {
    if (this.plot) {
      this.plot.setSize({ width: this.width(), height: 160 });
    }
  }
}
