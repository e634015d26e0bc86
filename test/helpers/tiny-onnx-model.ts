/**
 * Writes a tiny BERT-shaped model folder that @huggingface/transformers loads offline: a
 * WordPiece tokenizer over a given vocabulary and an ONNX graph whose `last_hidden_state` is each
 * token's row of a random embedding table, masked by `attention_mask`. Mean pooling of that is
 * easy to compute by hand, so a test can check the library's output exactly.
 *
 * The ONNX protobuf is encoded here directly (a few message types), so no Python or onnx
 * package is needed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;

export interface TinyModel {
  /** The model folder (pass as `modelPath`). */
  path: string;
  hidden: number;
  vocab: Map<string, number>;
  /** Row `id` of the embedding table. */
  embedding(id: number): Float32Array;
  /** Token ids the tokenizer gives `text` ([CLS] ... [SEP]), for lower-case ASCII word input. */
  tokenIds(text: string): number[];
}

/** Creates `<dir>/<name>` holding config.json, tokenizer files and onnx/model.onnx. */
export function writeTinyBertModel(
  dir: string,
  name: string,
  words: string[],
  hidden = 16,
  seed = 7,
): TinyModel {
  const path = join(dir, name);
  mkdirSync(join(path, "onnx"), { recursive: true });
  const vocab = new Map<string, number>();
  for (const token of [...SPECIAL_TOKENS, ...new Set(words.map((w) => w.toLowerCase()))]) {
    if (!vocab.has(token)) vocab.set(token, vocab.size);
  }
  const table = randomTable(vocab.size * hidden, seed);

  writeFileSync(
    join(path, "config.json"),
    JSON.stringify({
      model_type: "bert",
      architectures: ["BertModel"],
      hidden_size: hidden,
      vocab_size: vocab.size,
      num_attention_heads: 1,
      num_hidden_layers: 1,
      max_position_embeddings: 512,
    }),
  );
  writeFileSync(join(path, "tokenizer.json"), JSON.stringify(tokenizerJson(vocab)));
  writeFileSync(
    join(path, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 512,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    }),
  );
  writeFileSync(join(path, "onnx", "model.onnx"), encodeModel(table, vocab.size, hidden));

  return {
    path,
    hidden,
    vocab,
    embedding: (id) => table.slice(id * hidden, (id + 1) * hidden),
    tokenIds: (text) => [
      vocab.get("[CLS]")!,
      ...(text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? []).map(
        (w) => vocab.get(w) ?? vocab.get("[UNK]")!,
      ),
      vocab.get("[SEP]")!,
    ],
  };
}

function randomTable(size: number, seed: number): Float32Array {
  const table = new Float32Array(size);
  let state = seed >>> 0;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    table[i] = state / 2 ** 32 - 0.5;
  }
  return table;
}

function tokenizerJson(vocab: Map<string, number>): unknown {
  const special = (token: string): unknown => ({
    id: token,
    ids: [vocab.get(token)],
    tokens: [token],
  });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map((content) => ({
      id: vocab.get(content),
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: { "[CLS]": special("[CLS]"), "[SEP]": special("[SEP]") },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
}

// ---- ONNX protobuf encoding (onnx.proto field numbers) ----

const FLOAT = 1;
const INT64 = 7;

function encodeModel(table: Float32Array, vocabSize: number, hidden: number): Uint8Array {
  const dims = (...d: Array<number | string>): Uint8Array[] =>
    d.map((x) => message(1, typeof x === "number" ? varintField(1, x) : stringField(2, x)));
  const tensorType = (elemType: number, shape: Uint8Array[]): Uint8Array =>
    message(2, message(1, concat(varintField(1, elemType), message(2, concat(...shape)))));
  const valueInfo = (name: string, elemType: number, shape: Uint8Array[]): Uint8Array =>
    concat(stringField(1, name), tensorType(elemType, shape));
  const node = (
    op: string,
    inputs: string[],
    outputs: string[],
    ...attributes: Uint8Array[]
  ): Uint8Array =>
    concat(
      ...inputs.map((i) => stringField(1, i)),
      ...outputs.map((o) => stringField(2, o)),
      stringField(3, `${op}_${outputs[0]}`),
      stringField(4, op),
      ...attributes.map((a) => message(5, a)),
    );
  const initializer = (
    name: string,
    dataType: number,
    shape: number[],
    raw: Uint8Array,
  ): Uint8Array =>
    concat(
      ...shape.map((d) => varintField(1, d)),
      varintField(2, dataType),
      stringField(8, name),
      bytesField(9, raw),
    );

  const axes = new Uint8Array(new BigInt64Array([-1n]).buffer);
  const graph = concat(
    message(1, node("Gather", ["embeddings", "input_ids"], ["gathered"])),
    message(
      1,
      node(
        "Cast",
        ["attention_mask"],
        ["mask_float"],
        concat(stringField(1, "to"), varintField(3, FLOAT), varintField(20, 2)),
      ),
    ),
    message(1, node("Unsqueeze", ["mask_float", "axes"], ["mask_3d"])),
    message(1, node("Mul", ["gathered", "mask_3d"], ["last_hidden_state"])),
    stringField(2, "tiny_bert"),
    message(
      5,
      initializer("embeddings", FLOAT, [vocabSize, hidden], new Uint8Array(table.buffer.slice(0))),
    ),
    message(5, initializer("axes", INT64, [1], axes)),
    message(11, valueInfo("input_ids", INT64, dims("batch", "sequence"))),
    message(11, valueInfo("attention_mask", INT64, dims("batch", "sequence"))),
    message(12, valueInfo("last_hidden_state", FLOAT, dims("batch", "sequence", hidden))),
  );
  return concat(
    varintField(1, 8), // ir_version
    stringField(2, "victor-cache tests"), // producer_name
    message(7, graph),
    message(8, concat(stringField(1, ""), varintField(2, 13))), // opset_import: default domain, 13
  );
}

function varint(value: number): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, BigInt(value));
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return out;
}

function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...varint(field << 3), ...varint(value)]);
}

function bytesField(field: number, bytes: Uint8Array): Uint8Array {
  return concat(Uint8Array.from([...varint((field << 3) | 2), ...varint(bytes.length)]), bytes);
}

function stringField(field: number, text: string): Uint8Array {
  return bytesField(field, new TextEncoder().encode(text));
}

const message = bytesField;

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
