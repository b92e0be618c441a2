// Why an edit did not happen: one line for the user; the model is unchanged.
import { UserError } from '../errors.js';
import type { ModelEdit } from './types.js';

/** The edit would break the model, or names something that is not there. Nothing changed. */
export class EditRefused extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'EditRefused';
  }
}

/**
 * The edit needs the user's yes first (a delete that leaves consumers dangling, an initializer whose
 * dtype or shape changes). `confirmed` is the same edit with the confirmation set: apply it on yes.
 */
export class EditNeedsConfirmation extends EditRefused {
  constructor(message: string, readonly confirmed: ModelEdit, readonly items: string[] = []) {
    super(message);
    this.name = 'EditNeedsConfirmation';
  }
}
