/**
 * The RDB format layer: reading and writing RDB files / DUMP payloads as plain data, and
 * DEBUG DIGEST. Independent of the in-memory value classes (see rdb-types.ts for the shapes).
 */
export { Crc64, crc64, readStoredCrc } from './crc64.js';
export { lzfCompress, lzfDecompress, lzfDecompressToBuffer, LzfError } from './lzf.js';
export {
  canonicalInt,
  encodeIntset,
  encodeListpack,
  EncodingError,
  intsetToStrings,
  listpackToStrings,
  listpackToValues,
  ListpackBuilder,
  ziplistToStrings,
  ziplistToValues,
  zipmapToStrings,
} from './encodings.js';
export { formatG17, listpackScore } from './numfmt.js';
export * from './rdb-types.js';
export { RdbReader, readRdb, readRdbStream, parseScoreText, type RdbReaderHandlers, type RdbReaderOptions, type RdbSummary, type RdbFile } from './rdb-reader.js';
export {
  RdbWriter,
  writeRdb,
  type RdbWriterOptions,
  type RdbAuxOptions,
  type RdbWriteValue,
  type ValueSource,
  type ListSource,
  type SetSource,
  type ZSetSource,
  type HashSource,
  type RawSource,
  type WriteRdbOptions,
} from './rdb-writer.js';
export { DatasetDigest, datasetDigest, digestValue } from './digest.js';
