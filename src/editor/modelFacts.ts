// What the editors of one decoded model have worked out from it: graph views by id, shape inference (run
// once, on first use), and the tensor inspector with its external-data files. Shared by every editor of the document, replaced on reload.
import type * as vscode from 'vscode';
import { ModelShapes } from '../core/graph/shapeSources.js';
import { TensorInspector } from '../core/graph/tensorDetail.js';
import { decodeModelView } from '../core/graph/viewBytes.js';
import { MAIN_GRAPH } from '../core/graph/viewModel.js';
import type { GraphView } from '../core/graph/viewModelTypes.js';
import { ExternalDataReader } from '../core/model/externalData.js';
import type { ModelProto } from '../core/model/proto.js';

export class ModelFacts {
  private readonly graphs = new Map<string, GraphView>();
  readonly inspector: TensorInspector;
  readonly shapes: ModelShapes;
  private readonly external?: ExternalDataReader;

  /** `openedView`: the view bytes the view worker built from this very model, sent to the webview; the main graph's view is parsed from them when first asked for. */
  constructor(readonly model: ModelProto, uri: vscode.Uri, private openedView?: Uint8Array) {
    this.external = uri.scheme === 'file' ? ExternalDataReader.forModel(uri.fsPath) : undefined;
    this.inspector = new TensorInspector(model, this.external);
    this.shapes = new ModelShapes(model);
  }

  /** The view of graph `id` built (or sent) so far, if any. */
  graph(id: string): GraphView | undefined {
    let view = this.graphs.get(id);
    if (!view && id === MAIN_GRAPH && this.openedView) {
      view = decodeModelView(this.openedView).main;
      this.graphs.set(id, view);
      this.openedView = undefined;
    }
    return view;
  }

  setGraph(id: string, view: GraphView): void {
    this.graphs.set(id, view);
    if (id === MAIN_GRAPH) this.openedView = undefined;
  }

  /** Closes the external-data files; a reader reopens them on demand. */
  closeFiles(): void {
    this.external?.close();
  }
}
