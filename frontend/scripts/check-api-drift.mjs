// Fails when the checked-in API client is not what the checked-in OpenAPI documents generate
// (someone edited a generated file, or changed a document without regenerating).
// Python's tests/unit/test_openapi_documents.py checks the documents against the apps.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = join(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = mkdtempSync(join(tmpdir(), "soems-api-"));
const generated = ["src/api/commandApi.generated.ts", "src/api/queryApi.generated.ts"];
try {
  for (const path of ["openapi-config.cjs", ".prettierrc.json", "openapi", "src/api/base.ts"]) {
    cpSync(join(here, path), join(scratch, path), { recursive: true });
  }
  const bin = join(here, "node_modules/.bin/rtk-query-codegen-openapi");
  const run = spawnSync(bin, ["openapi-config.cjs"], { cwd: scratch, encoding: "utf8" });
  if (run.status !== 0) {
    console.error(run.stdout, run.stderr);
    process.exit(1);
  }
  const stale = generated.filter(
    (path) => readFileSync(join(here, path), "utf8") !== readFileSync(join(scratch, path), "utf8"),
  );
  if (stale.length) {
    console.error(`stale generated API client: ${stale.join(", ")}; run npm run api:generate`);
    process.exit(1);
  }
  console.log("API client matches the OpenAPI documents");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
