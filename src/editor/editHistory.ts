// Which model a document shows and whether it differs from the file. VS Code owns the undo stack (each
// edit event carries its undo/redo); this keeps the part the extension itself needs: the model of each
// step, so undo and redo restore the very object (edits share structure, nothing is copied), and the step
// that was last saved, so a change on disk can be told apart from one the user would lose.
// Plain data, no vscode: unit-tested on its own.

export interface HistoryStep<M> {
  /** Increasing id; 0 is the model as opened. */
  readonly id: number;
  readonly model: M;
  readonly label: string;
}

export class EditHistory<M> {
  private nextId = 1;
  private current: HistoryStep<M>;
  /** The step whose model the file holds; undefined when no step does (restored from a backup). */
  private savedId: number | undefined;

  constructor(model: M, options: { fromBackup?: boolean } = {}) {
    this.current = { id: 0, model, label: 'Open' };
    this.savedId = options.fromBackup ? undefined : 0;
  }

  get model(): M {
    return this.current.model;
  }

  get step(): HistoryStep<M> {
    return this.current;
  }

  /** Differs from the file: an edit, undo or redo moved away from the saved step. */
  get dirty(): boolean {
    return this.current.id !== this.savedId;
  }

  /** Records an edit; returns the step before it and the new one, for the undo/redo of the edit event. */
  push(model: M, label: string): { before: HistoryStep<M>; after: HistoryStep<M> } {
    const before = this.current;
    const after: HistoryStep<M> = { id: this.nextId++, model, label };
    this.current = after;
    return { before, after };
  }

  /** Undo or redo: shows the model of `step` again. */
  moveTo(step: HistoryStep<M>): void {
    this.current = step;
  }

  /** The file now holds the model of `step` (by default the current one; a save that began earlier passes its own). */
  markSaved(step: HistoryStep<M> = this.current): void {
    this.savedId = step.id;
  }

  /** The file was read again (revert, reload): a fresh start; older steps no longer match the file. */
  reset(model: M): void {
    this.current = { id: this.nextId++, model, label: 'Revert' };
    this.savedId = this.current.id;
  }
}
