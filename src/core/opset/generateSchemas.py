# Writes operatorSchemas.json: the default-domain operator schemas of every opset from 1 to MAX_OPSET, as
# the onnx package defines them (since_version, attributes with defaults, inputs and outputs with their
# type parameters, allowed types). The converter needs every version of every op, which Debian's
# python3-onnx (1.12, opset 17) does not have; run this with a newer onnx (1.21 or later):
#   python3 generateSchemas.py > operatorSchemas.json
# MAX_OPSET is the newest opset onnxruntime-node accepts.
import json
import sys

import onnx
from onnx import defs, helper

MAX_OPSET = 26


def type_name(t):
    return t[len('tensor('):-1] if t.startswith('tensor(') and t.count('(') == 1 else t


def default_of(attribute):
    if not attribute.default_value.name:
        return None

    def norm(x):
        if isinstance(x, bytes):
            return x.decode()
        if isinstance(x, float):
            return float('%.9g' % x)
        if isinstance(x, (int, str)):
            return x
        if isinstance(x, list):
            return [norm(y) for y in x]
        return None

    return norm(helper.get_attribute_value(attribute.default_value))


def main():
    by_op = {}
    for s in defs.get_all_schemas_with_history():
        if s.domain not in ('', 'ai.onnx') or s.since_version > MAX_OPSET:
            continue
        by_op.setdefault(s.name, {})[s.since_version] = s
    type_sets = {}
    ops = {}
    option = {0: '', 1: '?', 2: '*'}
    for op in sorted(by_op):
        versions = []
        for since in sorted(by_op[op]):
            s = by_op[op][since]
            entry = {'since': since}
            if s.deprecated:
                entry['deprecated'] = True
            attrs = {}
            for a in sorted(s.attributes.values(), key=lambda a: a.name):
                kind = str(a.type).split('.')[-1]
                d = default_of(a)
                attrs[a.name] = [kind] + (['required'] if a.required else ([d] if d is not None else []))
            entry['attrs'] = attrs
            entry['inputs'] = [f'{i.name}{option[int(i.option.value)]}:{type_name(i.type_str)}' for i in s.inputs]
            entry['outputs'] = [f'{o.name}{option[int(o.option.value)]}:{type_name(o.type_str)}' for o in s.outputs]
            entry['inputCount'] = [s.min_input, s.max_input if s.max_input < 1000 else -1]
            entry['outputCount'] = [s.min_output, s.max_output if s.max_output < 1000 else -1]
            entry['types'] = {}
            for t in s.type_constraints:
                key = ','.join(sorted(type_name(x) for x in t.allowed_type_strs))
                type_sets.setdefault(key, len(type_sets))
                entry['types'][t.type_param_str] = type_sets[key]
            versions.append(entry)
        ops[op] = versions
    lines = ['{']
    lines.append(f'"source": {json.dumps(f"onnx {onnx.__version__} operator schemas, default domain, opsets 1 to {MAX_OPSET}")},')
    lines.append(f'"maxOpset": {MAX_OPSET},')
    lines.append('"typeSets": [')
    lines.append(',\n'.join(json.dumps(k.split(',')) for k in type_sets))
    lines.append('],')
    lines.append('"ops": {')
    lines.append(',\n'.join(f'{json.dumps(op)}: {json.dumps(v, separators=(",", ":"))}' for op, v in ops.items()))
    lines.append('}')
    lines.append('}')
    sys.stdout.write('\n'.join(lines) + '\n')


main()
