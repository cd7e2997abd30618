// Runs the graphql-http server audits (GraphQL over HTTP spec) against the
// URL given as the first argument and prints one JSON object per line:
// {"id", "name", "status": "ok" | "notice" | "warn" | "error", "reason"?}.
// Exits 1 when any MUST audit fails (status "error").
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
const results = await auditServer({ url });
let failed = 0;
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    line.reason = result.reason;
    line.httpStatus = result.response?.status;
  }
  if (result.status === 'error') failed += 1;
  console.log(JSON.stringify(line));
}
process.exit(failed ? 1 : 0);
