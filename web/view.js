// view.js: zoom and pan of the graph (wheel + drag, buttons, fit), as a CSS transform on the
// element that holds the SVG.

export class PanZoom {
  constructor(stage, content) {
    this.stage = stage;
    this.content = content;
    this.k = 1;
    this.x = 0;
    this.y = 0;
    this.w = 0;      // content size at scale 1
    this.h = 0;
    this.autoFit = true; // follow the window until the user zooms or pans
    this.dragged = false;
    this._drag = null;

    stage.addEventListener('wheel', (e) => {
      if (!this.w) return;
      e.preventDefault();
      const r = stage.getBoundingClientRect();
      const f = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
      this.zoomAt(e.clientX - r.left, e.clientY - r.top, f);
    }, { passive: false });

    stage.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this._drag = { id: e.pointerId, sx: e.clientX, sy: e.clientY, x: this.x, y: this.y };
      this.dragged = false;
    });
    stage.addEventListener('pointermove', (e) => {
      const d = this._drag;
      if (!d || d.id !== e.pointerId) return;
      const dx = e.clientX - d.sx, dy = e.clientY - d.sy;
      if (!this.dragged && Math.hypot(dx, dy) < 4) return;
      if (!this.dragged) {
        this.dragged = true;
        stage.setPointerCapture(e.pointerId);
        stage.classList.add('dragging');
      }
      this.x = d.x + dx;
      this.y = d.y + dy;
      this.autoFit = false;
      this.apply();
    });
    const end = (e) => {
      if (!this._drag || this._drag.id !== e.pointerId) return;
      this._drag = null;
      stage.classList.remove('dragging');
      // `dragged` stays true until the click that follows has been seen (see app.js)
      setTimeout(() => { this.dragged = false; }, 0);
    };
    stage.addEventListener('pointerup', end);
    stage.addEventListener('pointercancel', end);

    new ResizeObserver(() => {
      if (this.autoFit) this.fit();
    }).observe(stage);
  }

  setSize(w, h) {
    const first = !this.w;
    this.w = w;
    this.h = h;
    if (first || this.autoFit) this.fit();
    else this.apply();
  }

  apply() {
    this.content.style.transform = `translate(${this.x}px, ${this.y}px) scale(${this.k})`;
  }

  fit() {
    if (!this.w || !this.h) return;
    const sw = this.stage.clientWidth, sh = this.stage.clientHeight;
    const m = 24;
    this.k = Math.max(0.05, Math.min((sw - 2 * m) / this.w, (sh - 2 * m) / this.h, 2.5));
    this.x = (sw - this.w * this.k) / 2;
    this.y = (sh - this.h * this.k) / 2;
    this.apply();
  }

  zoomAt(px, py, f) {
    const k = Math.min(20, Math.max(0.05, this.k * f));
    f = k / this.k;
    this.x = px - (px - this.x) * f;
    this.y = py - (py - this.y) * f;
    this.k = k;
    this.autoFit = false;
    this.apply();
  }

  zoomCenter(f) {
    this.zoomAt(this.stage.clientWidth / 2, this.stage.clientHeight / 2, f);
  }
}
