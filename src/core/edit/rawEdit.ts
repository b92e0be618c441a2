// What one edit function returns before validation.
import type { ModelProto } from '../model/proto.js';
import type { FollowUp } from './types.js';

export interface RawEdit {
  model: ModelProto;
  label: string;
  /** Things the edit itself wants to say (a bypassed node's attributes lost, ...). */
  notes?: string[];
  followUp?: FollowUp;
  /** Whether shape inference must run on the result (the edit can change types or shapes). */
  shapes?: boolean;
}
