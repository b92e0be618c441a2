// Side-by-side diff: this editor and the other model's follow each other. When the user moves the camera
// or selects a node here, the other side is told (through the host) where to look, as its own node
// numbers (each node's partner from the overlay); what the other side says is followed without being
// reported back, so the two never echo each other.
import type { DiffOverlay } from '../src/core/diff/diffOverlay.js';
import { drawnIndex, nodeOrigin } from '../src/core/graph/controlFlow.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import type { DiffLayout, DiffSync } from '../src/protocol.js';
import type { GraphCanvas } from './graphView.js';

export interface FollowHost {
  canvas(): GraphCanvas;
  /** The graph drawn, when it is the main graph (the diff is of it); undefined otherwise. */
  mainGraph(): GraphView | undefined;
  diff(): DiffOverlay | null;
  post(sync: DiffSync): void;
  /** Selects and frames node `index` of the main graph. */
  reveal(index: number): Promise<void>;
}

export class DiffFollower {
  layout: DiffLayout = 'overlay';
  /** Set while following the other side: what moves now is not reported. */
  private following = false;
  private frame = 0;

  constructor(private readonly host: FollowHost) {}

  private get partners(): number[] | undefined {
    const diff = this.host.diff();
    return this.layout === 'sideBySide' && diff ? diff.partners : undefined;
  }

  /** The camera moved: tell the other side, once per frame, unless it moved to follow the other side. */
  cameraMoved(): void {
    if (this.following || !this.partners || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.reportCamera();
    });
  }

  private reportCamera(): void {
    const partners = this.partners;
    const graph = this.host.mainGraph();
    if (!partners || !graph) return;
    const { camera } = this.host.canvas().state;
    if (!camera) return;
    const partnerOf = (i: number) => {
      const origin = nodeOrigin(graph, i);
      return origin.graph === '' ? partners[origin.index] ?? -1 : -1;
    };
    const near = this.host.canvas().nodeNearMiddle((i) => partnerOf(i) >= 0);
    const anchor = near && { node: partnerOf(near.index), screenX: near.screenX, screenY: near.screenY };
    this.host.post({ kind: 'camera', camera: { x: camera.x, y: camera.y, scale: camera.scale, ...(anchor ? { anchor } : {}) } });
  }

  /** The user selected node `index` of the graph drawn: the other side selects its partner. */
  selected(index: number): void {
    const partners = this.partners;
    const graph = this.host.mainGraph();
    if (this.following || !partners || !graph) return;
    const origin = nodeOrigin(graph, index);
    const partner = origin.graph === '' ? partners[origin.index] ?? -1 : -1;
    if (partner >= 0) this.host.post({ kind: 'select', node: partner });
  }

  /** What the other side reported. */
  async follow(sync: DiffSync): Promise<void> {
    if (!this.partners) return;
    this.following = true;
    try {
      if (sync.kind === 'select') await this.host.reveal(sync.node);
      else {
        const graph = this.host.mainGraph();
        if (!graph) return;
        const { camera } = sync;
        const at = camera.anchor ? drawnIndex(graph, '', camera.anchor.node) : -1;
        if (!(at >= 0 && camera.anchor && this.host.canvas().pinNode(at, camera.anchor.screenX, camera.anchor.screenY, camera.scale))) this.host.canvas().setCamera({ x: camera.x, y: camera.y, scale: camera.scale });
      }
    } finally {
      this.following = false;
    }
  }
}
