#!/usr/bin/env node
// End-to-end check of the dashboard against a running pitwall:
//   BASE_URL=http://127.0.0.1:8080 node e2e/live.mjs
// Starts a 6-car, 2-lap Monaco race from the form, checks the live view
// (leaderboard updates, one track marker per car), saves a screenshot,
// waits for the finish and checks the finished race's laps load from history.
// Env: BASE_URL (default http://127.0.0.1:8080), SCREENSHOT (default
// ../docs/dashboard.png, relative to dashboard/), CHROMIUM (default
// /usr/bin/chromium). Exits non-zero with a message on the first failure.
import { chromium } from "playwright-core";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dashboardDir = resolve(here, "..");
const BASE_URL = (process.env.BASE_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
const SCREENSHOT = resolve(dashboardDir, process.env.SCREENSHOT ?? "../docs/dashboard.png");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CARS = 6;
const TOTAL_BUDGET_MS = 170_000; // the whole script stays under 3 minutes

const started = Date.now();
const log = (msg) => console.log(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);

class Failure extends Error {}
function fail(msg) {
  throw new Failure(msg);
}

/** Polls `probe` until it returns a truthy value or `ms` pass. */
async function until(what, ms, probe, everyMs = 250) {
  const deadline = Math.min(Date.now() + ms, started + TOTAL_BUDGET_MS);
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : last !== undefined ? ` (last: ${JSON.stringify(last)})` : "";
      fail(`timed out after ${Math.round(ms / 1000)}s waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const userDataDir = mkdtempSync(join(tmpdir(), "pitwall-e2e-"));
const pageErrors = [];
let context;
let exitCode = 0;
const watchdog = setTimeout(() => {
  console.error(`[e2e] FAILED: the script ran past ${TOTAL_BUDGET_MS / 1000}s`);
  process.exit(2);
}, TOTAL_BUDGET_MS + 10_000);

try {
  log(`launching ${CHROMIUM}`);
  // launchPersistentContext because Playwright refuses --user-data-dir in args;
  // headless: false so that our own --headless=new is the only headless flag.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: false,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1366, height: 900 },
    timeout: 30_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (err) => pageErrors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") pageErrors.push(`console: ${msg.text()}`);
  });

  log(`opening ${BASE_URL}`);
  const res = await page.goto(`${BASE_URL}/`, { waitUntil: "domcontentloaded", timeout: 20_000 });
  if (!res || !res.ok()) fail(`GET ${BASE_URL}/ answered ${res ? res.status() : "nothing"}`);
  const form = page.getByTestId("start-race-form");
  await form.waitFor({ timeout: 15_000 }).catch(() => fail("the start-race form did not appear (is dashboard/dist being served at / ?)"));

  // ---- start a race from the form
  const name = `e2e ${new Date().toISOString().slice(11, 19)}`;
  await form.locator("input[name=name]").fill(name);
  await form.locator("select[name=track]").selectOption("street");
  await form.locator("input[name=cars]").fill(String(CARS));
  await form.locator("input[name=laps]").fill("2");
  await form.locator("input[name=time_scale]").fill("20");
  await form.locator("input[name=sample_hz]").fill("10");
  await form.locator("input[name=safety_car_probability]").fill("0");
  await page.getByTestId("start-race-submit").click();
  log("submitted the start-race form");

  // The app navigates to #/race/ID itself; else follow the newest race link.
  let raceId = await until("the race view after submitting", 10_000, async () => {
    const alert = page.locator(".form-error");
    if ((await alert.count()) > 0) fail(`the server refused the race: ${await alert.first().textContent()}`);
    const m = /#\/race\/([^/?#]+)/.exec(page.url());
    return m ? decodeURIComponent(m[1]) : null;
  }).catch(async (err) => {
    log(`${err.message}; following the race link instead`);
    const link = page.getByTestId("race-link").filter({ hasText: name }).first();
    await link.waitFor({ timeout: 15_000 });
    await link.click();
    const m = /#\/race\/([^/?#]+)/.exec(page.url());
    if (!m) fail("clicking the race link did not open a race view");
    return decodeURIComponent(m[1]);
  });
  log(`race ${raceId}`);

  // ---- live leaderboard appears and changes. A short race at time scale 20
  // lasts seconds, so the page itself samples the table from now on and we
  // count the distinct states it saw (order, laps, gaps or times).
  await page.evaluate(() => {
    const w = window;
    w.__pitwallBoards = new Set();
    w.__pitwallSampler = setInterval(() => {
      const rows = [...document.querySelectorAll('[data-testid="leaderboard-row"]')];
      if (rows.length) w.__pitwallBoards.add(rows.map((tr) => `${tr.getAttribute("data-car-id")}@${tr.getAttribute("data-lap")}:${tr.textContent}`).join("|"));
    }, 50);
  });
  await page.getByTestId("leaderboard").waitFor({ timeout: 20_000 });
  const rows = page.getByTestId("leaderboard-row");
  await until(`${CARS} leaderboard rows`, 45_000, async () => (await rows.count()) === CARS);
  log("leaderboard is showing; waiting for it to update");
  await until("the leaderboard to update (order, laps or times)", 30_000, async () =>
    page.evaluate(() => window.__pitwallBoards.size >= 2),
  );
  await page.evaluate(() => clearInterval(window.__pitwallSampler));
  log("leaderboard updated");

  // ---- track map: one marker per car
  await page.getByTestId("track-map").waitFor({ timeout: 10_000 });
  const markers = page.getByTestId("car-marker");
  let markerCount = 0;
  await until(`exactly ${CARS} car markers on the track map`, 20_000, async () => {
    markerCount = await markers.count();
    return markerCount === CARS;
  }).catch((err) => fail(`${err.message}; the map shows ${markerCount}`));
  const conn = await page.getByTestId("connection-state").textContent();
  log(`track map has ${markerCount} markers; connection: ${conn}`);

  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.waitForTimeout(500); // let a frame of markers settle for the picture
  await page.screenshot({ path: SCREENSHOT, fullPage: false });
  log(`screenshot saved to ${SCREENSHOT}`);

  // ---- finish: the race list must say so
  log("waiting for the race to finish");
  await until("the race to finish (GET /api/races/ID status)", 100_000, async () => {
    const r = await page.request.get(`${BASE_URL}/api/races/${encodeURIComponent(raceId)}`);
    if (!r.ok()) return false;
    const body = await r.json();
    return body.status === "finished" || body.status === "stopped" ? body.status : false;
  }, 1000);
  log("race finished");

  // ---- open it from the list: laps load from history
  await page.goto(`${BASE_URL}/#/`, { waitUntil: "domcontentloaded" });
  const link = page.locator(`[data-testid="race-link"][data-race-id="${raceId}"]`);
  await until("the finished race in the race list", 15_000, async () => (await link.count()) > 0 && (await link.first().getAttribute("data-status")) !== "running");
  await link.first().click();
  await page.getByTestId("leaderboard").waitFor({ timeout: 15_000 });
  const lapRows = page.getByTestId("lap-row");
  await until("at least one lap row from history", 20_000, async () => (await lapRows.count()) > 0);
  log(`finished race shows ${await lapRows.count()} lap rows from history`);

  // ---- GraphiQL: a leaderboard subscription over /graphql/ws, on a slower
  // race started through the API so that it is still running when the
  // editor has loaded.
  const started2 = await page.request.post(`${BASE_URL}/api/races`, {
    data: { name: "e2e graphiql", track: "street", cars: 3, laps: 2, sample_hz: 10, time_scale: 4, safety_car_probability: 0 },
  });
  if (started2.status() !== 202) fail(`POST /api/races answered ${started2.status()}`);
  const race2 = (await started2.json()).race_id;
  await until("the second race to run", 20_000, async () => {
    const r = await page.request.get(`${BASE_URL}/api/races/${encodeURIComponent(race2)}`);
    return r.ok() && (await r.json()).status === "running";
  });
  const subscription = `subscription { leaderboard(raceId: "${race2}") { leaderLap entries { position carId } } }`;
  await page.goto(`${BASE_URL}/graphiql?query=${encodeURIComponent(subscription)}`, { waitUntil: "domcontentloaded" });
  const execute = page.locator(".graphiql-execute-button");
  await execute.waitFor({ timeout: 20_000 });
  await until("GraphiQL's editor to hold the subscription", 15_000, async () =>
    ((await page.locator(".graphiql-query-editor").textContent()) ?? "").includes("leaderboard"),
  );
  await execute.click();
  const response = page.locator(".graphiql-response");
  let shown = "";
  await until("a leaderboard from the subscription in GraphiQL", 30_000, async () => {
    shown = ((await response.textContent()) ?? "").replace(/\s+/g, " ");
    return shown.includes('"carId"') && shown.includes('"leaderLap"');
  }).catch((err) => fail(`${err.message}; the response pane shows: ${shown.slice(0, 300)}`));
  log("GraphiQL streams the leaderboard subscription");
  log("PASSED");
} catch (err) {
  exitCode = 1;
  console.error(`[e2e] FAILED: ${err instanceof Failure ? err.message : err?.stack ?? err}`);
  if (pageErrors.length) console.error(`[e2e] browser errors:\n  ${pageErrors.slice(0, 20).join("\n  ")}`);
} finally {
  clearTimeout(watchdog);
  await context?.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
