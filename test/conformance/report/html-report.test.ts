import * as crypto from 'node:crypto';
import { ConformanceReport } from '../../../conformance/engine/report';
import { renderConsoleReport, verdictOf } from '../../../conformance/report/console-report';
import { escapeHtml, renderHtmlReport } from '../../../conformance/report/html-report';
import { checkMeta, checkResult, sampleReport, threeCloudReport } from '../../fixtures/reports';

const count = (html: string, pattern: RegExp) => (html.match(new RegExp(pattern.source, 'g')) ?? []).length;
const sha256 = (text: string) => `sha256-${crypto.createHash('sha256').update(text).digest('base64')}`;

describe('renderHtmlReport: one self-contained page', () => {
  const report = threeCloudReport();
  const html = renderHtmlReport(report);

  test('a whole document: doctype, language, viewport, one h1, landmarks, the summary before the gates', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(count(html, /<h1[ >]/)).toBe(1);
    for (const landmark of ['<header>', '<main>', '<footer>']) expect(count(html, new RegExp(landmark))).toBe(1);
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('id="gates"'));
  });

  test('loads nothing: no src, no href but fragments, no CSS url() or @import; the CSP allows only its own style and script, by hash', () => {
    expect(html).not.toMatch(/\s(src|srcset|action|poster|data|formaction)=/i);
    for (const [, href] of html.matchAll(/\shref="([^"]*)"/g)) expect(href).toMatch(/^#[\w-]+$/);
    expect(html).not.toMatch(/url\(|@import/);
    const [, style] = /<style>([\s\S]*?)<\/style>/.exec(html)!;
    const [, script] = /<script>([\s\S]*?)<\/script>/.exec(html)!;
    const [, csp] = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html)!;
    expect(csp.replace(/&#39;/g, "'")).toBe(`default-src 'none'; style-src '${sha256(style)}'; script-src '${sha256(script)}'; base-uri 'none'; form-action 'none'`);
  });

  test('the summary counts are the report’s: per cloud its gates, paths, checks and each status, and the totals', () => {
    const row = (cloud: string) => new RegExp(`<tr><th scope="row">${cloud}</th>((?:<td>\\d+</td>)+)</tr>`).exec(html)?.[1].match(/\d+/g)?.map(Number);
    for (const cloud of ['aws', 'gcp', 'azure', 'step-up'] as const) {
      const gates = report.gates.filter((g) => g.cloud === cloud);
      const results = report.results.filter((r) => r.cloud === cloud);
      const by = (status: string) => results.filter((r) => r.status === status).length;
      expect(row(cloud)).toEqual([gates.length, gates.flatMap((g) => g.paths ?? []).length, new Set(results.map((r) => r.checkId)).size, by('PASS'), by('FAIL'), by('INCONCLUSIVE'), by('SKIPPED')]);
    }
    expect(row('All')).toEqual([4, 6, 9, report.summary.PASS, report.summary.FAIL, report.summary.INCONCLUSIVE, report.summary.SKIPPED]);
    expect(html).toContain('6 issuance paths over 3 gates: 2 attested, 3 not attested (1 acknowledged), 1 not known before apply.');
  });

  test('the verdict is worded as the terminal report words it, each open gate linked to its section', () => {
    const verdict = verdictOf(report);
    expect(verdict.kind).toBe('open');
    expect(renderConsoleReport(report, { columns: 1000, color: false })).toContain(verdict.headline);
    expect(html).toContain(`<div class="verdict verdict-open">\n<p><strong>${escapeHtml(verdict.headline)}</strong></p>`);
    for (const { gate, why } of verdict.open) expect(html).toMatch(new RegExp(`<li><a href="#gate-\\d">${escapeHtml(gate).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}</a>: ${escapeHtml(why).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}</li>`));
  });

  test('every gate has its section — the endpoint without a gate of its own too — and every result its item with its verdict', () => {
    const gateIds = [...new Set([...report.gates.map((g) => g.id), ...report.results.map((r) => r.gate)])];
    expect(count(html, /<article class="gate"/)).toBe(gateIds.length);
    for (const id of gateIds) expect(html).toContain(`<span class="gate-name">${escapeHtml(id)}</span>`);
    expect(count(html, /<li class="result /)).toBe(report.results.length);
    for (const r of report.results) expect(html).toContain(`<span class="status status-${r.status}">`);
    for (const status of ['PASS', 'FAIL', 'INCONCLUSIVE', 'SKIPPED']) expect(count(html, new RegExp(`data-status="${status}"`))).toBe(report.summary[status as 'PASS']);
  });

  test('each gate: its state, its declared identity or the lack of a manifest, its paths as routes marked attested, open, acknowledged or unknown', () => {
    expect(html).toMatch(/<span class="state state-open">OPEN<\/span> <span class="gate-name">AttestgateExample\/DeployerRole<\/span>/);
    expect(html).toContain('<dt>SPIFFE ID</dt><dd>spiffe://prod.example/agent/deployer</dd>');
    expect(html).toContain('<dt>Longest credential lifetime</dt><dd>900 s</dd>');
    expect(html).toContain('No gate manifest declares one');
    expect(count(html, /<li class="path path-attested">/)).toBe(2);
    expect(count(html, /<li class="path path-open">/)).toBe(2);
    expect(count(html, /<li class="path path-acknowledged">/)).toBe(1);
    expect(count(html, /<li class="path path-unknown">/)).toBe(1);
    expect(html).toContain('<p class="ack">Acknowledged: break-glass role, used only under an incident ticket</p>');
    // Who → through → factors → identity, the factors of an unattested path said to be none.
    expect(html).toContain('<li class="hop"><span class="hop-label">Who</span> user:ci@example.com</li>');
    expect(html).toContain('<li class="hop"><span class="hop-label">Credentials of</span> google_service_account.deployer</li>');
    expect(html).toContain('<li>CreateSession signed with the certificate’s key</li>');
    expect(html).toContain('<p class="none">none of the gate’s factors</p>');
    expect(html).toContain('Drift from the gate manifest');
  });

  test('each check: verdict, reason, the check’s remediation, evidence; an acknowledged INCONCLUSIVE stays INCONCLUSIVE and says why', () => {
    const catalog = [checkMeta('AGC-AWS-002')];
    const page = renderHtmlReport(report, catalog);
    expect(page).toContain('<p class="fix"><strong>Remediation:</strong> What to change when AGC-AWS-002 fails.</p>');
    expect(page).toContain('<dt>expected</dt><dd><span class="value">403 AccessDeniedException Untrusted signing certificate</span></dd>');
    expect(html).toMatch(/<li class="result result-INCONCLUSIVE" data-status="INCONCLUSIVE" data-cloud="gcp">.*<p class="ack">Acknowledged: the issuer key is in a vault this job cannot read<\/p>/);
    // Nested evidence (one probe per path) as nested lists.
    expect(html).toContain('<dt>paths</dt><dd><ol class="evidence"><li><dl class="evidence"><dt>path</dt><dd><span class="value">provider spire</span></dd>');
  });

  test('a run that proved every gate: PROVEN everywhere, and the one-line verdict', () => {
    const passing = sampleReport({
      results: [{ ...checkResult('Stack/Deployer', 'AGC-AWS-001', 'PASS', 'issued'), tags: ['kind:positive'] }, checkResult('Stack/Deployer', 'AGC-AWS-002', 'PASS', 'denied')],
      gates: [{ id: 'Stack/Deployer', cloud: 'aws', source: 't.json', privilege: 'high', paths: [{ id: 'ra', attested: true, description: 'Roles Anywhere' }] }],
    });
    const page = renderHtmlReport(passing);
    expect(page).toContain('<div class="verdict verdict-proven">\n<p><strong>Verdict: every path of every high-privilege gate refused unattested issuance</strong></p>');
    expect(page).not.toMatch(/state-(open|unproven)"/);
    // A path summary without a route (a report written before routes) still draws its description.
    expect(page).toContain('<li class="hop"><span class="hop-label">Through</span> Roles Anywhere</li>');
  });

  test('an interrupted run proves no gate, whatever passed before the stop', () => {
    const page = renderHtmlReport({ ...sampleReport({ results: [{ ...checkResult('Stack/Deployer', 'AGC-AWS-001', 'PASS', 'issued'), tags: ['kind:positive'] }] }), interrupted: true });
    expect(page).not.toContain('class="state state-proven"');
    expect(page).toContain('<strong>INTERRUPTED</strong>');
  });
});

describe('renderHtmlReport: hostile text', () => {
  const hostile = `<script>alert("x")</script><img src=x onerror='alert(1)'>`;
  function hostileReport(): ConformanceReport {
    const base = threeCloudReport();
    const gate = { ...base.gates[0], id: `Stack/${hostile}`, identity: { ...base.gates[0].identity!, name: hostile }, paths: [{ id: 'p', attested: false, description: hostile, acknowledged: hostile, route: { from: hostile, through: hostile, factors: [hostile], to: hostile } }], drift: [hostile] };
    const results = [{ ...checkResult(gate.id, 'AGC-AWS-002', 'FAIL', hostile), title: hostile, evidence: { [hostile]: hostile } }];
    return { ...base, target: hostile, gates: [gate], results, advisories: [{ id: 'ADV-AWS-001', gate: gate.id, title: hostile, present: false, detail: hostile }] };
  }

  test('names, reasons, paths, evidence keys and values are escaped: no markup of theirs, only the page’s own script', () => {
    const html = renderHtmlReport(hostileReport());
    expect(count(html, /<script>/)).toBe(1);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('alert("x")');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt;');
  });
});

describe('renderHtmlReport: secrets are never shown', () => {
  // Shaped like the real thing; none of them is one.
  const jwt = 'eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL29pZGMucHJvZC5leGFtcGxlIiwic3ViIjoiZGVwbG95ZXIifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbi1ub3QtYS1yZWFsLW9uZQ';
  const accessKeyId = 'ASIAQWERTYUIOPASDFGH';
  const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';
  const sessionToken = `IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD${'a1B2c3D4'.repeat(20)}`;
  const privateKey = '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVcB/UNPxalR9zDYA\n-----END PRIVATE KEY-----';
  const googleToken = 'ya29.a0AfB_byC1234567890abcdefGHIJKLmnopQRSTuvwxYZ';
  const clientSecret = 'Xy7Q~abcDEF123ghiJKL456mnoPQR789stuVWX0';
  const planted = [jwt, accessKeyId, secretAccessKey, sessionToken, 'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVcB', googleToken, clientSecret];

  function reportWithSecrets(): ConformanceReport {
    const base = threeCloudReport();
    const body = JSON.stringify({ credentialSet: [{ credentials: { accessKeyId, secretAccessKey, sessionToken, expiration: '2026-04-01T13:00:00Z' } }] });
    const results = [
      { ...checkResult(base.gates[0].id, 'AGC-AWS-002', 'FAIL', `credentials were issued: 201: ${body}`), evidence: { received: `201: ${body}`, expected: '403 AccessDeniedException' } },
      {
        ...checkResult(base.gates[1].id, 'AGC-GCP-002', 'FAIL', `a token was issued (access_token ${googleToken}) for assertion ${jwt}`),
        cloud: 'gcp' as const,
        evidence: {
          request: `POST /v1/token grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=${jwt}&client_secret=${clientSecret}`,
          headers: { Authorization: `Bearer ${jwt}`, 'x-goog-request-params': 'name=projects/1' },
          answer: `<AssumeRoleResult><Credentials><SessionToken>${sessionToken}</SessionToken><SecretAccessKey>${secretAccessKey}</SecretAccessKey></Credentials></AssumeRoleResult>`,
          probes: [{ privateKey, keyPem: privateKey, clientAssertion: jwt, tokenIssued: true }],
          note: `session token: ${sessionToken}`,
        },
      },
    ];
    return { ...base, results, advisories: [{ id: 'ADV-AWS-001', gate: base.gates[0].id, title: 'signal', present: false, detail: `client_secret: ${clientSecret}` }] };
  }

  test('tokens, session credentials, private keys and assertions planted in reasons, evidence and details do not appear; what they were is still said', () => {
    const html = renderHtmlReport(reportWithSecrets());
    for (const secret of planted) expect(html).not.toContain(secret);
    // Not even a recognisable piece of one: the JWT's payload, the key's base64 lines.
    expect(html).not.toContain('eyJpc3MiOiJodHRwczovL29pZGMucHJvZC5leGFtcGxlIiwic3ViIjoiZGVwbG95ZXIifQ');
    expect(html).not.toContain('BEGIN PRIVATE KEY');
    expect(html).toContain('[redacted]');
    expect(html).toContain('<dt>tokenIssued</dt><dd><span class="value">true</span></dd>');
    expect(html).toContain('<dt>expected</dt><dd><span class="value">403 AccessDeniedException</span></dd>');
  });
});
