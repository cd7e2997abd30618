// Composes Federation 2 subgraphs with Apollo's composition library.
// Input (stdin): JSON [{"name": ..., "url": ..., "sdl": ...}, ...]
// Output (stdout): JSON {"errors": [...], "hints": [...], "supergraphSdl": ...}
// Exit status 1 when composition reports any error, 2 on bad input.
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";

let services;
try {
  services = JSON.parse(readFileSync(0, "utf8")).map((s) => ({
    name: s.name,
    url: s.url,
    typeDefs: parse(s.sdl),
  }));
} catch (error) {
  process.stderr.write(`bad input: ${error.message}\n`);
  process.exit(2);
}

const result = composeServices(services);
const errors = (result.errors ?? []).map((e) => ({
  code: e.extensions?.code ?? null,
  message: e.message,
}));
const hints = (result.hints ?? []).map((h) => ({
  code: h.definition?.code ?? null,
  message: h.message,
}));
process.stdout.write(
  JSON.stringify({ errors, hints, supergraphSdl: result.supergraphSdl ?? null }),
);
process.exit(errors.length ? 1 : 0);
