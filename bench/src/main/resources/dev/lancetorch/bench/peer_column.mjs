// LanceDB's reader over one column of a permutation, for PeerBench's variable-length lines (lance-torch's bench).
// Copied by PeerBench into the lancedb-peer folder (it imports that folder's packages and perm_reader.mjs) and run
// in the same program run as lance-torch's side:
//   node peer_column.mjs <db> <permdb> <perm table> <column[,column...]> <limit> <batch,batch> <runs> <json out> [key=value...]
// Each batch size is read <runs> times after one warm-up read; the JSON gives the median rows/s per batch size.
import fs from 'fs';
import * as lancedb from '@lancedb/lancedb';
import { PermutationReader } from './perm_reader.mjs';

const [DB, PERM_DB, PERM, COLUMN, LIMIT, BATCHES, RUNS, OUT, ...STORAGE] = process.argv.slice(2);
// optional trailing key=value arguments: Lance storage options of DB (e.g. an s3:// endpoint and its keys)
const storageOptions = Object.fromEntries(STORAGE.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const numbers = await (await lancedb.connect(DB, { storageOptions })).openTable('numbers');
const perm = await (await lancedb.connect(PERM_DB)).openTable(PERM);
const reader = PermutationReader.fromTables(numbers, perm, 0).selectColumns(COLUMN.split(',')).withLimit(Number(LIMIT));

async function once(batch) {
  let rows = 0;
  const t0 = performance.now();
  for await (const b of reader.batches(batch)) rows += b.numRows;
  if (rows !== Number(LIMIT)) throw new Error(`read ${rows} rows, expected ${LIMIT}`);
  return (performance.now() - t0) / 1000;
}

const out = {};
for (const batch of BATCHES.split(',').map(Number)) {
  await once(batch);
  const s = [];
  for (let r = 0; r < Number(RUNS); r++) s.push(await once(batch));
  s.sort((a, b) => a - b);
  out[batch] = Number(LIMIT) / s[(s.length - 1) >> 1];
  console.log(`LanceDB's reader, ${PERM} ${COLUMN} batch ${batch}: ${(out[batch] / 1e6).toFixed(3)} M rows/s (median of ${RUNS})`);
}
fs.writeFileSync(OUT, JSON.stringify(out));
