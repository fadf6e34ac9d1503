// pods3d.js: the joined pods in 3-D with three.js: one layer per pod (a disc in the pod's
// colour), its actors as spheres on a ring, its channels as lines, each bridge a thick line from
// the egress in one layer to the ingress in another (red while down). Drag turns the scene,
// the wheel zooms; actors and pods are labelled. stats tells a test what is drawn and that
// frames are rendered.
import * as THREE from '/three/three.module.js';

const GAP = 3.2; // between layers
const RING = 2.4; // the actors' ring in a layer

export class PodsView3d {
  constructor(canvas) {
    this.canvas = canvas;
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true });
    this.renderer.setPixelRatio(window.devicePixelRatio || 1);
    this.scene = new THREE.Scene();
    this.scene.background = new THREE.Color(0x0d1014);
    this.camera = new THREE.PerspectiveCamera(45, 1, 0.1, 200);
    this.scene.add(new THREE.AmbientLight(0xffffff, 0.8));
    const sun = new THREE.DirectionalLight(0xffffff, 1.6);
    sun.position.set(5, 10, 7);
    this.scene.add(sun);
    this.group = new THREE.Group();
    this.scene.add(this.group);
    this.turn = { x: 0.5, y: 0.6, dist: 14 };
    this.stats = { layers: 0, actors: 0, channels: 0, bridges: 0, down: 0, frames: 0 };
    this.key = null;
    this.controls();
    const loop = () => {
      this.draw();
      requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  }

  controls() {
    let drag = null;
    this.canvas.addEventListener('pointerdown', (e) => { drag = { x: e.clientX, y: e.clientY }; });
    window.addEventListener('pointerup', () => { drag = null; });
    window.addEventListener('pointermove', (e) => {
      if (!drag) return;
      this.turn.y += (e.clientX - drag.x) * 0.01;
      this.turn.x = Math.max(-1.4, Math.min(1.4, this.turn.x + (e.clientY - drag.y) * 0.01));
      drag = { x: e.clientX, y: e.clientY };
    });
    this.canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      this.turn.dist = Math.max(4, Math.min(80, this.turn.dist * (e.deltaY > 0 ? 1.1 : 0.9)));
    }, { passive: false });
  }

  // Rebuilt when the pods, actors, channels or bridges (or their states) change.
  update(data) {
    const key = JSON.stringify([data.pods.map((p) => [p.ok, p.actors.map((a) => [a.id, a.link_state]),
      p.channels.map((c) => [c.from, c.to])]), data.bridges.map((b) => [b.from_pod, b.egress,
      b.to_pod, b.ingress, b.up])]);
    if (key === this.key) return;
    this.key = key;
    // The old scene's GPU buffers and textures go with it (a flapping link rebuilds it often).
    this.group.traverse((o) => {
      if (o.geometry) o.geometry.dispose();
      if (o.material) {
        if (o.material.map) o.material.map.dispose();
        o.material.dispose();
      }
    });
    this.group.clear();
    const where = new Map(); // "pod:actor" -> position
    const stats = { layers: 0, actors: 0, channels: 0, bridges: 0, down: 0 };
    const top = ((data.pods.length - 1) * GAP) / 2;
    data.pods.forEach((pod, p) => {
      const y = top - p * GAP;
      const colour = new THREE.Color(pod.colour);
      const disc = new THREE.Mesh(new THREE.CircleGeometry(RING + 0.9, 48),
        new THREE.MeshBasicMaterial({ color: colour, transparent: true, opacity: 0.16, side: THREE.DoubleSide }));
      disc.rotation.x = -Math.PI / 2;
      disc.position.y = y;
      this.group.add(disc);
      this.group.add(label(`pod ${p + 1}: ${pod.name || 'unreachable'}`,
        new THREE.Vector3(-(RING + 1.2), y + 0.4, 0), 0.42, pod.colour));
      stats.layers++;
      pod.actors.forEach((a, i) => {
        const t = (i / Math.max(1, pod.actors.length)) * Math.PI * 2;
        const pos = new THREE.Vector3(Math.cos(t) * RING, y, Math.sin(t) * RING);
        where.set(`${p}:${a.id}`, pos);
        const down = a.link_state === 'down';
        const ball = new THREE.Mesh(new THREE.SphereGeometry(a.link_kind ? 0.38 : 0.28, 24, 16),
          new THREE.MeshStandardMaterial({ color: down ? 0xff3b3b : colour }));
        ball.position.copy(pos);
        this.group.add(ball);
        this.group.add(label(a.label || '?', pos.clone().add(new THREE.Vector3(0, 0.62, 0)), 0.34));
        stats.actors++;
      });
      pod.channels.forEach((c) => {
        const a = where.get(`${p}:${c.from}`), b = where.get(`${p}:${c.to}`);
        if (!a || !b) return; // an end in another process
        this.group.add(line(a, b, colour, 1));
        stats.channels++;
      });
    });
    data.bridges.forEach((br) => {
      const a = where.get(`${br.from_pod}:${br.egress}`), b = where.get(`${br.to_pod}:${br.ingress}`);
      if (!a || !b) return;
      const tube = new THREE.Mesh(new THREE.TubeGeometry(new THREE.LineCurve3(a, b), 1, 0.07, 8),
        new THREE.MeshStandardMaterial({ color: br.up ? 0xf0f0f0 : 0xff3b3b }));
      this.group.add(tube);
      stats.bridges++;
      if (!br.up) stats.down++;
    });
    Object.assign(this.stats, stats);
  }

  draw() {
    const w = this.canvas.clientWidth, h = this.canvas.clientHeight;
    if (!w || !h) return; // hidden
    if (this.canvas.width !== Math.floor(w * this.renderer.getPixelRatio())) {
      this.renderer.setSize(w, h, false);
      this.camera.aspect = w / h;
      this.camera.updateProjectionMatrix();
    }
    const { x, y, dist } = this.turn;
    this.camera.position.set(Math.sin(y) * Math.cos(x) * dist, Math.sin(x) * dist, Math.cos(y) * Math.cos(x) * dist);
    this.camera.lookAt(0, 0, 0);
    this.renderer.render(this.scene, this.camera);
    this.stats.frames++;
  }
}

function line(a, b, colour, width) {
  const g = new THREE.BufferGeometry().setFromPoints([a, b]);
  return new THREE.Line(g, new THREE.LineBasicMaterial({ color: colour, linewidth: width }));
}

// A text that always faces the camera: a sprite of a canvas, `height` world units tall.
function label(text, at, height, colour = '#dde3ea') {
  const c = document.createElement('canvas');
  const g = c.getContext('2d');
  const font = '600 40px Helvetica, Arial, sans-serif';
  g.font = font;
  c.width = Math.ceil(g.measureText(text).width) + 16;
  c.height = 56;
  g.font = font;
  g.fillStyle = colour;
  g.textBaseline = 'middle';
  g.fillText(text, 8, 28);
  const tex = new THREE.CanvasTexture(c);
  tex.colorSpace = THREE.SRGBColorSpace;
  const sprite = new THREE.Sprite(new THREE.SpriteMaterial({ map: tex, transparent: true, depthWrite: false }));
  sprite.scale.set((height * c.width) / c.height, height, 1);
  sprite.position.copy(at);
  return sprite;
}
