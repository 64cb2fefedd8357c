// Usage: node write.mjs DIR
// Creates in DIR (a LanceDB database) a table `base` (1000 rows in 2 fragments) and a permutation table `perm` built
// by LanceDB's own PermutationBuilder, then writes DIR/lancedb-written.json with what LanceDB reads back.
import * as arrow from "apache-arrow";
import { permutationBuilder } from "@lancedb/lancedb";
import { connect, readSplits, tableSummary, writeReport } from "./common.mjs";

const dir = process.argv[2];
if (!dir) { console.error("usage: node write.mjs DIR"); process.exit(2); }

const N = 1000;
const schema = new arrow.Schema([
  new arrow.Field("id", new arrow.Int64(), false),
  new arrow.Field("x", new arrow.Float32(), false),
  new arrow.Field("vec", new arrow.FixedSizeList(4, new arrow.Field("item", new arrow.Float32(), true)), false),
]);

function batch(from, to) {
  const rows = [];
  for (let i = from; i < to; i++) {
    rows.push({ id: BigInt(i), x: i * 0.5, vec: [i, i + 0.25, i + 0.5, i + 0.75] });
  }
  return rows;
}

const db = await connect(dir);
const base = await db.createTable("base", batch(0, N / 2), { schema, mode: "create" });
await base.add(batch(N / 2, N));

const splitNames = ["train", "test"];
const perm = await permutationBuilder(base)
  .splitRandom({ ratios: [0.7, 0.3], seed: 42, splitNames })
  .shuffle({ seed: 7 })
  .persist(db, "perm")
  .execute();

const baseSchema = await base.schema();
const permSchema = await perm.schema();
const read = await readSplits(base, perm);
const out = {
  lancedb: "0.39.0",
  base: await tableSummary(base, baseSchema),
  perm: await tableSummary(perm, permSchema),
  splitNames,
  ...read,
};
const file = writeReport(dir, "lancedb-written.json", out);
console.log(`wrote ${file}: base ${out.base.rows} rows, perm ${out.perm.rows} rows, splits ${read.splits.map((s) => s.length)}`);
console.log(`perm schema: ${JSON.stringify(out.perm.schema)}`);
