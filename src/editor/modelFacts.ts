// What the editors of one decoded model have worked out from it: graph views by id, shape inference (run
// once, on first use), and the tensor inspector with its external-data files. Shared by every editor of the document, replaced on reload.
import type * as vscode from 'vscode';
import { ModelShapes } from '../core/graph/shapeSources.js';
import { TensorInspector } from '../core/graph/tensorDetail.js';
import type { GraphView } from '../core/graph/viewModelTypes.js';
import { ExternalDataReader } from '../core/model/externalData.js';
import type { ModelProto } from '../core/model/proto.js';

export class ModelFacts {
  readonly graphs = new Map<string, GraphView>();
  readonly inspector: TensorInspector;
  readonly shapes: ModelShapes;
  private readonly external?: ExternalDataReader;

  constructor(readonly model: ModelProto, uri: vscode.Uri) {
    this.external = uri.scheme === 'file' ? ExternalDataReader.forModel(uri.fsPath) : undefined;
    this.inspector = new TensorInspector(model, this.external);
    this.shapes = new ModelShapes(model);
  }

  /** Closes the external-data files; a reader reopens them on demand. */
  closeFiles(): void {
    this.external?.close();
  }
}
