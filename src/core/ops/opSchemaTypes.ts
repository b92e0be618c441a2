// The shape of the generated operator schema table (src/core/ops/opSchemaTable.ts).

/** The value an absent attribute means: floats to nine significant digits, strings decoded. */
export type AttributeDefault = number | string | number[] | string[];

/** One version of one op, as ONNX's OpSchema describes it. */
export interface OpSchemaEntry {
  /** The opset version this signature appeared in. */
  v: number;
  deprecated?: boolean;
  /** Minimum and maximum number of inputs and outputs (2147483647: unbounded). */
  in: [number, number];
  out: [number, number];
  /** Formal inputs and outputs: 'name:type' with '?' optional, '*' variadic of one type, '+' variadic of mixed types. */
  i: string[];
  o: string[];
  /**
   * Attribute name to ONNX attribute type name (INT, FLOATS, GRAPH...), '!' when required; a pair of the
   * type and the default when the schema gives one (not for tensors and graphs).
   */
  a?: Record<string, string | [string, AttributeDefault]>;
  /** Type parameter to an index into `typeSets`. */
  t?: Record<string, number>;
}

export interface OnnxRelease {
  onnx: string;
  ir: number;
  opset: number;
  ml: number;
  training?: number;
}

export interface OpSchemaTable {
  /** The onnx Python package the table was generated from. */
  onnxVersion: string;
  /** The newest IR version that package knows. */
  irVersion: number;
  releases: OnnxRelease[];
  /** Allowed type strings ('tensor(float)', 'seq(tensor(int64))'...), shared between constraints. */
  typeSets: string[][];
  /** Domain ('' is ai.onnx) to op name to its versions, oldest first. */
  domains: Record<string, Record<string, OpSchemaEntry[]>>;
}
