// @rtk-query/codegen-openapi: one generated file per API, both injected into src/api/base.ts.
// `npm run api:generate` rewrites them; `npm run api:check` regenerates them in a scratch
// copy of these paths and fails when anything differs. Paths are relative to this file.

/** @type {import("@rtk-query/codegen-openapi").ConfigFile} */
module.exports = {
  schemaFile: "./openapi/command-api.json",
  apiFile: "./src/api/base.ts",
  apiImport: "baseApi",
  hooks: true,
  prettierConfigFile: "./.prettierrc.json",
  outputFiles: {
    "./src/api/commandApi.generated.ts": {
      schemaFile: "./openapi/command-api.json",
      exportName: "commandApi",
    },
    "./src/api/queryApi.generated.ts": {
      schemaFile: "./openapi/query-api.json",
      exportName: "queryApi",
    },
  },
};
