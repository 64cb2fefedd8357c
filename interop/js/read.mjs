// Usage: node read.mjs DIR
// Opens tables `jbase` and `jperm` (written by lance-torch) in the LanceDB database DIR and writes
// DIR/lancedb-read.json: row counts, schemas (with metadata) and each split's ids in stored order as LanceDB reads them.
import { connect, readSplits, rowIdToId, tableSummary, writeReport } from "./common.mjs";

const dir = process.argv[2];
if (!dir) { console.error("usage: node read.mjs DIR"); process.exit(2); }

const db = await connect(dir);
const base = await db.openTable("jbase");
const perm = await db.openTable("jperm");
const permSchema = await perm.schema();
const read = await readSplits(base, perm);
let splitNames = null;
const raw = permSchema.metadata?.get("split_names");
if (raw !== undefined) splitNames = JSON.parse(raw);
const { order } = await rowIdToId(base);
const out = {
  tableNames: await db.tableNames(),
  base: { ...(await tableSummary(base, await base.schema())), firstRowIds: order.slice(0, 3).map(String) },
  perm: await tableSummary(perm, permSchema),
  splitNames,
  ...read,
};
const file = writeReport(dir, "lancedb-read.json", out);
console.log(`wrote ${file}: tables ${out.tableNames}, jbase ${out.base.rows} rows, jperm ${out.perm.rows} rows, `
  + `splits ${splitNames} sizes ${read.splits.map((s) => s.length)}`);
console.log(`jperm schema: ${JSON.stringify(out.perm.schema)}`);
