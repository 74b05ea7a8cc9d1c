/**
 * The part of ONNX's protobuf schema (onnx.proto, IR version 3 and later) that a feed-forward
 * teacher needs, as a protobufjs JSON descriptor: the model, its graph, nodes, attributes,
 * tensors and the input's type and shape. Field numbers and types are ONNX's (the wire format
 * is fixed by them); names are camelCase, as protobufjs gives them. Fields we never read
 * (doc strings, training info, sparse initializers, metadata, ...) are left out: a protobuf
 * decoder skips unknown fields, so a model that has them still decodes.
 *
 * Written here (not fetched, not parsed from a .proto at run time) so that decoding needs only
 * protobufjs/light and nothing outside the bundle.
 */
import protobuf from 'protobufjs/light.js';

const rep = (type: string, id: number, packed = false) => ({ rule: 'repeated', type, id, ...(packed ? { options: { packed: true } } : {}) });
const opt = (type: string, id: number) => ({ type, id });

/** TensorProto.DataType values we read (the others are refused by name). */
export const DATA_TYPE = { FLOAT: 1, INT32: 6, INT64: 7, DOUBLE: 11 } as const;
/** Names of every TensorProto.DataType, for messages. */
export const DATA_TYPE_NAMES = [
  'UNDEFINED', 'FLOAT', 'UINT8', 'INT8', 'UINT16', 'INT16', 'INT32', 'INT64', 'STRING', 'BOOL', 'FLOAT16', 'DOUBLE', 'UINT32', 'UINT64',
  'COMPLEX64', 'COMPLEX128', 'BFLOAT16',
];
/** AttributeProto.AttributeType values. */
export const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: opt('int64', 1), producerName: opt('string', 2), producerVersion: opt('string', 3), domain: opt('string', 4),
            modelVersion: opt('int64', 5), graph: opt('GraphProto', 7), opsetImport: rep('OperatorSetIdProto', 8),
          },
        },
        OperatorSetIdProto: { fields: { domain: opt('string', 1), version: opt('int64', 2) } },
        GraphProto: {
          fields: {
            node: rep('NodeProto', 1), name: opt('string', 2), initializer: rep('TensorProto', 5),
            input: rep('ValueInfoProto', 11), output: rep('ValueInfoProto', 12), valueInfo: rep('ValueInfoProto', 13),
          },
        },
        NodeProto: {
          fields: {
            input: rep('string', 1), output: rep('string', 2), name: opt('string', 3), opType: opt('string', 4),
            attribute: rep('AttributeProto', 5), domain: opt('string', 7),
          },
        },
        AttributeProto: {
          fields: {
            name: opt('string', 1), f: opt('float', 2), i: opt('int64', 3), s: opt('bytes', 4), t: opt('TensorProto', 5),
            floats: rep('float', 7), ints: rep('int64', 8), strings: rep('bytes', 9), type: opt('int32', 20), refAttrName: opt('string', 21),
          },
        },
        TensorProto: {
          fields: {
            dims: rep('int64', 1, true), dataType: opt('int32', 2), floatData: rep('float', 4, true), int32Data: rep('int32', 5, true),
            int64Data: rep('int64', 7, true), name: opt('string', 8), rawData: opt('bytes', 9), doubleData: rep('double', 10, true),
            externalData: rep('StringStringEntryProto', 13), dataLocation: opt('int32', 14),
          },
        },
        StringStringEntryProto: { fields: { key: opt('string', 1), value: opt('string', 2) } },
        ValueInfoProto: { fields: { name: opt('string', 1), type: opt('TypeProto', 2) } },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType', 'sequenceType', 'mapType'] } },
          fields: { tensorType: opt('TypeProtoTensor', 1), sequenceType: opt('bytes', 4), mapType: opt('bytes', 5) },
        },
        TypeProtoTensor: { fields: { elemType: opt('int32', 1), shape: opt('TensorShapeProto', 2) } },
        TensorShapeProto: { fields: { dim: rep('Dimension', 1) } },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: { dimValue: opt('int64', 1), dimParam: opt('string', 2) },
        },
      },
    },
  },
};

/** An int64, as decodeModel asks protobufjs to give it (a number; exact up to 2^53, larger ones are refused as sizes anyway). */
export type Int64 = number;

export interface OnnxTensor {
  dims?: Int64[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: Int64[];
  name?: string;
  rawData?: Uint8Array;
  doubleData?: number[];
  externalData?: { key?: string; value?: string }[];
  dataLocation?: number;
}
export interface OnnxAttribute {
  name?: string;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  type?: number;
  refAttrName?: string;
}
export interface OnnxNode { input?: string[]; output?: string[]; name?: string; opType?: string; attribute?: OnnxAttribute[]; domain?: string }
export interface OnnxDimension { dimValue?: Int64; dimParam?: string }
export interface OnnxValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDimension[] } }; sequenceType?: Uint8Array; mapType?: Uint8Array };
}
export interface OnnxGraph {
  node?: OnnxNode[];
  name?: string;
  initializer?: OnnxTensor[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
}
export interface OnnxModel {
  irVersion?: Int64;
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: Int64;
  graph?: OnnxGraph;
  opsetImport?: { domain?: string; version?: Int64 }[];
}

/** What we use of a protobufjs message type (declared here so that the library's typings do not need protobufjs). */
export interface MessageType {
  decode(bytes: Uint8Array): object;
  toObject(message: object, options: { longs: NumberConstructor; arrays: boolean; defaults: boolean }): object;
  fromObject(object: object): object;
  encode(message: object): { finish(): Uint8Array };
}

let modelType: MessageType | undefined;

/** The ModelProto message type (built once). */
export function modelProto(): MessageType {
  modelType ??= protobuf.Root.fromJSON(DESCRIPTOR).lookupType('onnx.ModelProto');
  return modelType;
}
