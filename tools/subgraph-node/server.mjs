// An academy LMS as a Federation 2 subgraph built with Apollo's @apollo/subgraph:
// it extends the gateway's Course by key and adds a root field. Serves POST
// /graphql on 127.0.0.1 (port from argv, 0: any), prints "listening <port>",
// and answers GET /requests with how many GraphQL requests it served.
import { createServer } from "node:http";
import { parse, execute, validate } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  type Course @key(fields: "id") {
    id: ID!
    lmsRating: Float
    lmsReviews: [Review!]!
  }

  type Learner @key(fields: "id", resolvable: false) {
    id: ID!
  }

  type Review {
    stars: Int!
    text: String
    learner: Learner
  }

  type Query {
    lmsAnnouncements: [String!]!
  }
`);

const ratings = {
  "istm:office-procedure": { lmsRating: 4.5, lmsReviews: [{ stars: 5, text: "Clear", learner: { id: "learner:demo-asha" } }] },
  "istm:rti-act": { lmsRating: 3.9, lmsReviews: [] },
};

const resolvers = {
  Course: {
    __resolveReference(ref) {
      const found = ratings[ref.id];
      return found ? { id: ref.id, ...found } : null;
    },
  },
  Query: {
    lmsAnnouncements: () => ["Induction batch opens on 1 January"],
  },
};

const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
let served = 0;

const server = createServer(async (req, res) => {
  if (req.method === "GET" && req.url === "/requests") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ requests: served }));
    return;
  }
  let body = "";
  for await (const chunk of req) body += chunk;
  let payload;
  try {
    payload = JSON.parse(body);
  } catch {
    res.writeHead(400);
    res.end();
    return;
  }
  let document;
  try {
    document = parse(payload.query);
  } catch (error) {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ errors: [{ message: error.message }] }));
    return;
  }
  if (!payload.query.includes("_service")) served += 1;
  const errors = validate(schema, document);
  const result = errors.length
    ? { errors }
    : await execute({ schema, document, variableValues: payload.variables ?? {} });
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(result));
});

server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
