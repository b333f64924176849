// A Perspective client in Node, for TestPerspectiveCoral: it calls the
// endpoint the way Coral Talk's perspective service does (the configured
// endpoint, the operation joined to its path, the key as a search
// parameter, a JSON body) and reads the answer the way Coral does
// (attributeScores.TOXICITY.summaryScore.value).
//
//   node perspective-client.mjs http://127.0.0.1:8080/v1alpha1 KEY < request.json
import path from "node:path";
import { readFileSync } from "node:fs";

const [endpoint, key] = process.argv.slice(2);

async function send(operation, body) {
  const url = new URL(endpoint.trim());
  url.pathname = path.join(url.pathname, `/${operation}`);
  url.searchParams.set("key", key.trim());
  const res = await fetch(url.toString(), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, data: await res.json() };
}

const request = JSON.parse(readFileSync(0, "utf8"));
const ok = await send("comments:analyze", request);
const bad = await send("comments:analyze", {
  comment: { text: "Бұл мақала өте жақсы жазылған, рахмет сізге" },
  doNotStore: true,
  requestedAttributes: { SEVERE_TOXICITY: {} },
});
const detail = (bad.data.error?.details ?? [])[0] ?? {};
console.log(JSON.stringify({
  status: ok.status,
  score: ok.data.attributeScores.TOXICITY.summaryScore.value,
  error: { status: bad.data.error?.status, errorType: detail.errorType },
}));
