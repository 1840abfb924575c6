import * as crypto from 'node:crypto';
import { CHECK_CATALOG } from '../catalog';
import { firstBy, groupByGate } from '../engine/by-gate';
import { CheckMeta, CheckStatus } from '../engine/check';
import { Advisory, CheckResult, ConformanceReport, GateSummary, PathRoute, summarize, unprovenGates } from '../engine/report';
import { STATUSES, cloudSummaries, formatCounts, pathTotals, verdictOf } from './console-report';
import { REDACTED, isSecretName, redactText } from './redact-secrets';

/**
 * The report as one self-contained HTML page (`report.html`): the summary and verdict first, then
 * per gate its declared identity, a diagram of every issuance path (who → through what → which of
 * the gate's factors → the identity), and each check with its verdict, reason, evidence and fix.
 *
 * Nothing is loaded from anywhere: the style and the filter script are inline, and the page's
 * Content-Security-Policy allows exactly those two by hash (default-src 'none'), so a browser
 * refuses any other resource even if text in the report tried to add one. All text is escaped;
 * reasons, evidence and details are redacted of secrets (redact-secrets.ts). Without JavaScript
 * the page shows everything and the filters stay hidden.
 */

const STATUS_SYMBOL: Record<CheckStatus, string> = { PASS: '✓', FAIL: '✗', INCONCLUSIVE: '?', SKIPPED: '–' };
/** How much of one evidence value is shown; report.json has it whole. */
const EVIDENCE_TEXT_LIMIT = 600;
const EVIDENCE_LIST_LIMIT = 25;
const EVIDENCE_DEPTH_LIMIT = 5;

/** Text as HTML text or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
const esc = escapeHtml;
/** Text that may quote an answer or a request: secrets redacted, then escaped. */
const safe = (text: string): string => esc(redactText(text));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderHtmlReport(report: ConformanceReport, catalog: readonly CheckMeta[] = CHECK_CATALOG): string {
  const metaOf = new Map(catalog.map((m) => [m.id, m]));
  // Results of gates the report does not list (an area's endpoints): still shown, never dropped.
  const listed = new Set(report.gates.map((g) => g.id));
  const resultsOf = groupByGate(report.results);
  const stray = [...resultsOf.keys()].filter((id) => !listed.has(id)).map(
    (id): GateSummary => ({ id, cloud: resultsOf.get(id)![0].cloud, source: '', privilege: '' }),
  );
  const gates = [...report.gates, ...stray];
  const states = gateStates(report, resultsOf);
  const advisoriesOf = groupByGate(report.advisories);
  const clouds = [...new Set([...gates.map((g) => g.cloud), ...report.results.map((r) => r.cloud)])];
  const title = `attestgate conformance report — target ${report.target}`;
  const body = [
    '<a class="skip" href="#gates">Skip to the gates</a>',
    '<header>',
    `<h1>attestgate conformance report</h1>`,
    `<p class="meta">Target <strong>${esc(report.target)}</strong>${report.interrupted ? ' — <strong>INTERRUPTED</strong>' : ''} · attestgate ${esc(report.tool.version)} · started <time datetime="${esc(report.startedAt)}">${esc(report.startedAt)}</time>, finished <time datetime="${esc(report.finishedAt)}">${esc(report.finishedAt)}</time></p>`,
    '</header>',
    '<main>',
    renderSummarySection(report, gates, states, resultsOf),
    renderFilters(clouds),
    '<section id="gates" aria-labelledby="gates-heading">',
    `<h2 id="gates-heading">Gates (${gates.length})</h2>`,
    gates.length === 0 ? '<p>No gate was found: nothing was probed.</p>' : '',
    ...gates.map((gate, i) => renderGate(gate, i, states.get(gate.id)!, metaOf, resultsOf.get(gate.id) ?? [], advisoriesOf.get(gate.id) ?? [])),
    '</section>',
    '</main>',
    '<footer>',
    `<p>Statuses: ${STATUSES.map((s) => `<span class="status status-${s}">${STATUS_SYMBOL[s]} ${s}</span>`).join(' ')}. A check passes only when unattested issuance was denied for the expected reason after its gate’s positive control was issued credentials; anything it could not tell is INCONCLUSIVE, never PASS.</p>`,
    `<p>Written by attestgate ${esc(report.tool.version)}. Secret-looking values (tokens, session credentials, private keys, assertions) are shown as ${REDACTED}; long evidence is cut, and report.json has it whole. The checks are described in docs/conformance.md of the attestgate package.</p>`,
    '</footer>',
  ].join('\n');
  const script = FILTER_SCRIPT;
  const csp = `default-src 'none'; style-src '${sha256(STYLE)}'; script-src '${sha256(script)}'; base-uri 'none'; form-action 'none'`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    body,
    `<script>${script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const sha256 = (text: string): string => `sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}`;

/** Each gate's state as the verdict words it: open, unproven (acknowledged or not), or proven. */
interface GateState {
  readonly state: 'open' | 'unproven' | 'proven';
  readonly why?: string;
}

function gateStates(report: ConformanceReport, resultsOf: ReadonlyMap<string, readonly CheckResult[]>): Map<string, GateState> {
  const verdict = verdictOf(report);
  const openOf = firstBy(verdict.open, (o) => o.gate);
  const unprovenOf = firstBy(unprovenGates(report), (u) => u.gate);
  const ids = [...new Set([...report.gates.map((g) => g.id), ...report.results.map((r) => r.gate)])];
  return new Map(
    ids.map((id): [string, GateState] => {
      const open = openOf.get(id);
      if (open) return [id, { state: open.state, why: open.why }];
      const u = unprovenOf.get(id);
      if (u) return [id, { state: 'unproven', why: `${u.why}${u.acknowledged ? ` (acknowledged: ${report.unprovenSubset?.reason ?? 'with --allow-unproven'})` : ''}` }];
      // A gate of an interrupted run is not proven by what was judged of it before the stop.
      if (report.interrupted) return [id, { state: 'unproven', why: 'the run was interrupted' }];
      const results = resultsOf.get(id) ?? [];
      if (results.some((r) => r.status === 'INCONCLUSIVE')) return [id, { state: 'unproven', why: 'INCONCLUSIVE results (acknowledged)' }];
      return [id, { state: 'proven' }];
    }),
  );
}

const STATE_LABEL: Record<GateState['state'], string> = { open: 'OPEN', unproven: 'UNPROVEN', proven: 'PROVEN' };

function renderSummarySection(report: ConformanceReport, gates: readonly GateSummary[], states: Map<string, GateState>, resultsOf: ReadonlyMap<string, readonly CheckResult[]>): string {
  const verdict = verdictOf(report);
  const anchorOf = firstBy(gates.map((g, i) => ({ id: g.id, anchor: `gate-${i + 1}` })), (g) => g.id);
  const rows = cloudSummaries(report).map(
    (c) => `<tr><th scope="row">${esc(c.cloud)}</th><td>${c.gates}</td><td>${c.paths}</td><td>${c.checks}</td>${STATUSES.map((s) => `<td>${c.counts[s]}</td>`).join('')}</tr>`,
  );
  const total = summarize(report.results);
  const paths = pathTotals(report);
  return [
    '<section id="summary" aria-labelledby="summary-heading">',
    '<h2 id="summary-heading">Summary</h2>',
    `<div class="verdict verdict-${verdict.kind}">`,
    `<p><strong>${esc(verdict.headline)}</strong></p>`,
    verdict.open.length > 0 ? `<ul>${verdict.open.map((o) => `<li><a href="#${anchorOf.get(o.gate)?.anchor ?? 'gate-0'}">${esc(o.gate)}</a>: ${safe(o.why)}</li>`).join('')}</ul>` : '',
    '</div>',
    '<div class="scroll" role="region" aria-labelledby="per-cloud-caption" tabindex="0">',
    '<table class="counts">',
    '<caption id="per-cloud-caption">Gates, issuance paths, checks and results per cloud</caption>',
    `<thead><tr><th scope="col">Cloud</th><th scope="col">Gates</th><th scope="col">Issuance paths</th><th scope="col">Checks</th>${STATUSES.map((s) => `<th scope="col">${s}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.join('')}</tbody>`,
    `<tfoot><tr><th scope="row">All</th><td>${gates.length}</td><td>${paths?.total ?? 0}</td><td>${new Set(report.results.map((r) => r.checkId)).size}</td>${STATUSES.map((s) => `<td>${total[s]}</td>`).join('')}</tr></tfoot>`,
    '</table>',
    '</div>',
    `<p>${report.results.length} results: ${formatCounts(total)}${report.interrupted ? ' (interrupted)' : ''}.</p>`,
    paths
      ? `<p>${plural(paths.total, 'issuance path')} over ${plural(paths.gates, 'gate')}: ${paths.attested} attested, ${paths.notAttested} not attested${paths.acknowledged > 0 ? ` (${paths.acknowledged} acknowledged)` : ''}${paths.unknown > 0 ? `, ${paths.unknown} not known before apply` : ''}.</p>`
      : '',
    report.unprovenSubset ? `<p>${report.unprovenSubset.results} INCONCLUSIVE acknowledged (--allow-unproven): ${safe(report.unprovenSubset.reason)}</p>` : '',
    gates.length > 0 ? renderGateIndex(gates, states, resultsOf) : '',
    '</section>',
  ].join('\n');
}

/** The gates at a glance, each linking to its section. */
function renderGateIndex(gates: readonly GateSummary[], states: Map<string, GateState>, resultsOf: ReadonlyMap<string, readonly CheckResult[]>): string {
  const rows = gates.map((gate, i) => {
    const state = states.get(gate.id)!;
    const results = resultsOf.get(gate.id) ?? [];
    return `<tr class="gate-row" data-cloud="${esc(gate.cloud)}"><th scope="row"><a href="#gate-${i + 1}">${esc(gate.id)}</a></th><td>${esc(gate.cloud)}</td><td><span class="state state-${state.state}">${STATE_LABEL[state.state]}</span></td><td>${formatCounts(summarize(results))}</td></tr>`;
  });
  return [
    '<div class="scroll" role="region" aria-labelledby="gate-index-caption" tabindex="0">',
    '<table class="gate-index">',
    '<caption id="gate-index-caption">Every gate and its state</caption>',
    '<thead><tr><th scope="col">Gate</th><th scope="col">Cloud</th><th scope="col">State</th><th scope="col">Results</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    '</div>',
  ].join('\n');
}

/** The filters: hidden until the script shows them, so a page without JavaScript shows everything. */
function renderFilters(clouds: readonly string[]): string {
  const box = (name: string, value: string, label: string) =>
    `<label class="filter"><input type="checkbox" name="${name}" value="${esc(value)}" checked> ${label}</label>`;
  return [
    '<section id="filters" class="filters" aria-labelledby="filters-heading" hidden>',
    '<h2 id="filters-heading">Filter the results</h2>',
    `<fieldset><legend>Status</legend>${STATUSES.map((s) => box('status', s, `<span class="status status-${s}">${STATUS_SYMBOL[s]} ${s}</span>`)).join('')}</fieldset>`,
    `<fieldset><legend>Cloud</legend>${clouds.map((c) => box('cloud', c, esc(c))).join('')}</fieldset>`,
    '<p id="filter-count" role="status" aria-live="polite"></p>',
    '</section>',
  ].join('\n');
}

function renderGate(gate: GateSummary, index: number, state: GateState, metaOf: Map<string, CheckMeta>, results: readonly CheckResult[], advisories: readonly Advisory[]): string {
  const id = `gate-${index + 1}`;
  const about = [gate.cloud, gate.privilege ? `${gate.privilege} privilege` : '', gate.source ? `declared in ${gate.source}` : ''].filter(Boolean);
  return [
    `<article class="gate" id="${id}" data-cloud="${esc(gate.cloud)}" aria-labelledby="${id}-heading">`,
    `<h3 id="${id}-heading"><span class="state state-${state.state}">${STATE_LABEL[state.state]}</span> <span class="gate-name">${esc(gate.id)}</span></h3>`,
    `<p class="meta">${about.map(esc).join(' · ')}</p>`,
    state.why ? `<p>${state.state === 'open' ? 'Open' : 'Not proven'}: ${safe(state.why)}</p>` : '',
    `<p>${results.length} results: ${formatCounts(summarize(results))}</p>`,
    // A cloud's gates have paths (and a manifest, or none); an area's endpoints have neither.
    gate.paths ? renderIdentity(gate, id) : '',
    gate.paths ? renderPaths(gate, id) : '',
    (gate.drift ?? []).length > 0
      ? `<h4 id="${id}-drift">Drift from the gate manifest</h4><p>The resources no longer match the identity the gate manifest declares; the checks probe what is deployed.</p><ul>${gate.drift!.map((d) => `<li>${safe(d)}</li>`).join('')}</ul>`
      : '',
    `<h4 id="${id}-checks">Checks</h4>`,
    results.length === 0 ? '<p>No check ran against this gate.</p>' : `<ol class="results" aria-labelledby="${id}-checks">${results.map((r) => renderResult(r, metaOf.get(r.checkId))).join('\n')}</ol>`,
    advisories.length > 0
      ? `<h4 id="${id}-signals">Detection signals (advisories; not part of the verdict)</h4><ul class="advisories">${advisories.map((a) => `<li><span class="signal signal-${a.present ? 'yes' : 'no'}">${a.present ? 'present' : 'MISSING'}</span> ${esc(a.id)} ${esc(a.title)}<br><span class="detail">${safe(a.detail)}</span></li>`).join('')}</ul>`
      : '',
    '</article>',
  ].join('\n');
}

function renderIdentity(gate: GateSummary, id: string): string {
  const heading = `<h4 id="${id}-identity">Declared identity</h4>`;
  const identity = gate.identity;
  if (!identity) return `${heading}<p>No gate manifest declares one: the gate was found in the resources themselves, and its paths and checks are judged from them.</p>`;
  const rows: Array<[string, string | undefined]> = [
    ['Name', identity.name],
    ['SPIFFE ID', identity.spiffeId],
    ['Certificate subject', identity.subject],
    ['Certificate SAN URI', identity.sanUri],
    ['Issuing CA', identity.issuingCa],
    ['Privilege', identity.privilege],
    ['Longest credential lifetime', `${identity.maxCredentialLifetimeSeconds} s`],
  ];
  return `${heading}<dl class="identity">${rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<dt>${k}</dt><dd>${esc(v!)}</dd>`)
    .join('')}</dl>`;
}

/** Each path as boxes and arrows: who → through → factors → identity; marked attested, open or acknowledged. */
function renderPaths(gate: GateSummary, id: string): string {
  const paths = gate.paths ?? [];
  const intro = `<h4 id="${id}-paths">Issuance paths (${paths.length}): every way to the identity’s credentials</h4>`;
  if (paths.length === 0) return `${intro}<p>Discovery found none.</p>`;
  const items = paths.map((p) => {
    const mark = p.attested === true ? ['attested', 'ATTESTED'] : p.attested === false ? (p.acknowledged ? ['acknowledged', 'NOT attested, acknowledged'] : ['open', 'NOT attested']) : ['unknown', 'not known before apply'];
    const route: PathRoute = p.route ?? { from: 'see the description', through: p.description, factors: [], to: gate.id };
    const factors =
      route.factors.length > 0 ? `<ul>${route.factors.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : `<p class="none">${p.attested === true ? 'none listed' : 'none of the gate’s factors'}</p>`;
    return [
      `<li class="path path-${mark[0]}">`,
      `<p class="path-head"><span class="mark mark-${mark[0]}">${mark[1]}</span> ${esc(p.description)}</p>`,
      p.acknowledged ? `<p class="ack">Acknowledged: ${safe(p.acknowledged)}</p>` : '',
      `<ol class="route" aria-label="Route of this path">`,
      `<li class="hop"><span class="hop-label">Who</span> ${esc(route.from)}</li>`,
      `<li class="hop"><span class="hop-label">Through</span> ${esc(route.through)}</li>`,
      `<li class="hop hop-factors"><span class="hop-label">Gated by</span> ${factors}</li>`,
      `<li class="hop"><span class="hop-label">Credentials of</span> ${esc(route.to)}</li>`,
      '</ol>',
      '</li>',
    ].join('');
  });
  return `${intro}<ol class="paths" aria-labelledby="${id}-paths">${items.join('\n')}</ol>`;
}

function renderResult(result: CheckResult, meta: CheckMeta | undefined): string {
  const s = result.status;
  return [
    `<li class="result result-${s}" data-status="${s}" data-cloud="${esc(result.cloud)}">`,
    `<p class="result-head"><span class="status status-${s}">${STATUS_SYMBOL[s]} ${s}</span> <strong>${esc(result.checkId)}</strong> ${esc(result.title)} <span class="severity">(${esc(result.severity)})</span></p>`,
    result.acknowledged !== undefined ? `<p class="ack">Acknowledged: ${safe(result.acknowledged)}</p>` : '',
    `<p class="reason">${safe(result.reason)}</p>`,
    meta ? `<p class="fix"><strong>Remediation:</strong> ${esc(meta.remediation)}</p>` : '',
    `<details><summary>Evidence and details</summary>`,
    meta ? `<p>${esc(meta.statement)}</p><p><strong>Threat:</strong> ${esc(meta.threat)}</p>` : '',
    `<p>${plural(result.attempts, 'request')}, ${(result.durationMs / 1000).toFixed(1)} s.</p>`,
    result.evidence && Object.keys(result.evidence).length > 0 ? renderEvidence(result.evidence, 0) : '<p>No evidence recorded.</p>',
    '</details>',
    '</li>',
  ].join('');
}

/** Evidence as nested lists: requests and answers summarized, secrets redacted, long values cut. */
function renderEvidence(value: unknown, depth: number): string {
  if (value === null || value === undefined) return '<span class="none">none</span>';
  if (typeof value === 'string') {
    const text = redactText(value);
    return `<span class="value">${esc(text.length > EVIDENCE_TEXT_LIMIT ? `${text.slice(0, EVIDENCE_TEXT_LIMIT)}… (${text.length - EVIDENCE_TEXT_LIMIT} more characters in report.json)` : text)}</span>`;
  }
  if (typeof value !== 'object') return `<span class="value">${esc(String(value))}</span>`;
  if (depth >= EVIDENCE_DEPTH_LIMIT) return '<span class="none">(nested deeper: see report.json)</span>';
  if (Array.isArray(value)) {
    const shown = value.slice(0, EVIDENCE_LIST_LIMIT).map((v) => `<li>${renderEvidence(v, depth + 1)}</li>`);
    return `<ol class="evidence">${shown.join('')}${value.length > EVIDENCE_LIST_LIMIT ? `<li>and ${value.length - EVIDENCE_LIST_LIMIT} more in report.json</li>` : ''}</ol>`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return `<dl class="evidence">${entries
    .map(([k, v]) => `<dt>${safe(k)}</dt><dd>${isSecretName(k) && typeof v !== 'boolean' && typeof v !== 'number' && v !== null ? `<span class="value">${REDACTED}</span>` : renderEvidence(v, depth + 1)}</dd>`)
    .join('')}</dl>`;
}

/**
 * Colours meet WCAG AA on their backgrounds (4.5:1 and more); a status is always a word and a
 * symbol too, never a colour alone. Long names and values wrap anywhere, so a phone never scrolls
 * sideways; the wide tables scroll inside their own region.
 */
const STYLE = `
:root{--fg:#1b1b1b;--muted:#4a4a4a;--line:#c8c8c8;--bg:#fff;--panel:#f6f7f9;--link:#0b57d0}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:anywhere}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
a{color:var(--link)}
.skip{position:absolute;left:-10000px}
.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem;z-index:1}
h1{font-size:1.6rem;margin:1rem 0 .25rem}
h2{font-size:1.3rem;margin:1.5rem 0 .5rem;border-bottom:1px solid var(--line)}
h3{font-size:1.1rem;margin:0 0 .25rem}
h4{font-size:1rem;margin:1rem 0 .25rem}
.meta{color:var(--muted);margin:.25rem 0}
.verdict{border-left:.4rem solid;padding:.5rem 1rem;margin:.5rem 0;background:var(--panel)}
.verdict-proven{border-color:#1a7f37}.verdict-open{border-color:#b3261e}.verdict-unproven{border-color:#9a6700}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.5rem 0}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
td{font-variant-numeric:tabular-nums}
.counts th,.counts td,.gate-index td{white-space:nowrap}
.gate-index th{min-width:12rem}
.status,.state,.mark,.signal{display:inline-block;padding:0 .4rem;border-radius:.25rem;font-weight:600;white-space:nowrap;border:1px solid}
.status-PASS,.state-proven,.mark-attested,.signal-yes{background:#e6f4ea;color:#0d5223;border-color:#0d5223}
.status-FAIL,.state-open,.mark-open,.signal-no{background:#fde7e9;color:#8a1520;border-color:#8a1520}
.status-INCONCLUSIVE,.state-unproven,.mark-unknown{background:#fff4d6;color:#5c3f00;border-color:#5c3f00}
.status-SKIPPED,.mark-acknowledged{background:#eeeeee;color:#333;border-color:#333}
.filters{background:var(--panel);padding:.5rem 1rem;margin:1rem 0}
.filters h2{border:0;margin-top:.25rem}
fieldset{border:1px solid var(--line);margin:.5rem 0;padding:.25rem .75rem}
.filter{display:inline-block;margin:.25rem 1rem .25rem 0;white-space:nowrap}
.gate{border:1px solid var(--line);border-radius:.4rem;padding:.75rem 1rem;margin:1rem 0}
.gate-name{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
dl.identity{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.25rem 0}
dl.identity dt{font-weight:600}
dl.identity dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ol.paths,ol.results{list-style:none;padding:0;margin:.25rem 0}
.path{border-left:.3rem solid var(--line);padding:.25rem .75rem;margin:.5rem 0;background:var(--panel)}
.path-attested{border-color:#1a7f37}.path-open{border-color:#b3261e}.path-acknowledged{border-color:#555}.path-unknown{border-color:#9a6700}
.path-head{margin:.25rem 0}
ol.route{list-style:none;display:flex;flex-wrap:wrap;align-items:stretch;gap:.5rem 1.75rem;padding:0;margin:.5rem 0}
.hop{position:relative;flex:1 1 10rem;min-width:0;background:#fff;border:1px solid var(--line);border-radius:.3rem;padding:.35rem .5rem}
.hop + .hop::before{content:"→" / "";position:absolute;left:-1.45rem;top:50%;transform:translateY(-50%);font-weight:700;color:var(--muted)}
.hop-label{display:block;font-size:.8rem;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.03em}
.hop ul{margin:0;padding-left:1.1rem}
.none{color:var(--muted);margin:0;font-style:italic}
.result{border-top:1px solid var(--line);padding:.5rem 0}
.result-head,.reason,.fix,.ack{margin:.2rem 0}
.severity{color:var(--muted)}
details{margin:.25rem 0}
summary{cursor:pointer;color:var(--link)}
dl.evidence{margin:.25rem 0 .25rem .5rem}
dl.evidence dt{font-weight:600;margin-top:.2rem}
dl.evidence dd{margin:0 0 0 1rem}
.value{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9rem;white-space:pre-wrap}
.detail{color:var(--muted)}
footer{color:var(--muted);font-size:.9rem;margin-top:2rem;padding-bottom:2rem}
@media (max-width:40rem){
  ol.route{flex-direction:column;gap:1.5rem}
  .hop{flex-basis:auto}
  .hop + .hop::before{content:"↓" / "";left:1rem;top:-1.45rem;transform:none}
  dl.identity{grid-template-columns:1fr}
  dl.identity dd{margin-bottom:.25rem}
}
[hidden]{display:none !important}
`;

/**
 * The filters: a result shows when its status and its cloud are both ticked; a gate shows when
 * its cloud is ticked and at least one of its results shows (or it has none). Plain ES2015, no
 * dependencies; the page is complete without it.
 */
const FILTER_SCRIPT = `
(function () {
  var panel = document.getElementById('filters');
  if (!panel) return;
  panel.hidden = false;
  var boxes = Array.prototype.slice.call(panel.querySelectorAll('input[type=checkbox]'));
  var count = document.getElementById('filter-count');
  function ticked(name) {
    return boxes.filter(function (b) { return b.name === name && b.checked; }).map(function (b) { return b.value; });
  }
  function apply() {
    var statuses = ticked('status'), clouds = ticked('cloud');
    var results = document.querySelectorAll('.result'), shown = 0;
    Array.prototype.forEach.call(results, function (r) {
      var visible = statuses.indexOf(r.getAttribute('data-status')) >= 0 && clouds.indexOf(r.getAttribute('data-cloud')) >= 0;
      r.hidden = !visible;
      if (visible) shown++;
    });
    Array.prototype.forEach.call(document.querySelectorAll('.gate'), function (g) {
      var own = g.querySelectorAll('.result');
      var any = own.length === 0 || Array.prototype.some.call(own, function (r) { return !r.hidden; });
      g.hidden = clouds.indexOf(g.getAttribute('data-cloud')) < 0 || !any;
    });
    Array.prototype.forEach.call(document.querySelectorAll('.gate-row'), function (row) {
      row.hidden = clouds.indexOf(row.getAttribute('data-cloud')) < 0;
    });
    count.textContent = 'Showing ' + shown + ' of ' + results.length + ' results.';
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
`;
