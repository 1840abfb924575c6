import * as crypto from 'node:crypto';
import type { HttpRequest } from '@smithy/types';
import { getCanonicalHeaders, getCanonicalQuery } from '@smithy/signature-v4';
import { AttestGateError } from '../../../lib/core/errors';
import {
  MalformedSignatureError,
  canonicalHeaderValue,
  canonicalHeaders,
  canonicalPath,
  canonicalQuery,
  canonicalRequest,
  credentialScope,
  formatAmzDate,
  formatAuthorizationHeader,
  parseAmzDate,
  parseAuthorizationHeader,
  payloadHash,
  stringToSign,
  uriEncode,
} from '../../../lib/credentials/roles-anywhere/canonical-request';
import { ARNS, SmithyReference } from '../fixtures';

function smithyRequest(parts: Partial<HttpRequest>): HttpRequest {
  return { method: 'POST', protocol: 'https:', hostname: 'rolesanywhere.eu-west-1.amazonaws.com', path: '/sessions', query: {}, headers: {}, ...parts };
}

describe('uriEncode and canonicalQuery', () => {
  test('leave only RFC 3986 unreserved characters as they are', () => {
    expect(uriEncode("AZaz09-_.~ !'()*+,/:;=?@[]é%")).toBe('AZaz09-_.~%20%21%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D%C3%A9%25');
  });

  test('equal smithy getCanonicalQuery: sorted by encoded name, then value; repeated names; empty values', () => {
    const query = { ...ARNS, 'b~x': ['z', 'a b', 'A'], 'a-b': 'x=y', a: '', 'ü': 'ö' };
    expect(canonicalQuery(query)).toBe(getCanonicalQuery(smithyRequest({ query })));
    expect(canonicalQuery(query)).toBe(
      '%C3%BC=%C3%B6&a=&a-b=x%3Dy&b~x=A&b~x=a%20b&b~x=z&' +
        'profileArn=arn%3Aaws%3Arolesanywhere%3Aeu-west-1%3A123456789012%3Aprofile%2F9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b&' +
        'roleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fservice-role%2Fdeploy%2Bbot%3D1%2Ca.b%40c-d&' +
        'trustAnchorArn=arn%3Aaws%3Arolesanywhere%3Aeu-west-1%3A123456789012%3Atrust-anchor%2F0f3c5a1e-7d2b-4c8e-9a6f-1b2c3d4e5f60',
    );
  });

  test('read off the wire through URLSearchParams gives the same string as the record it was built from', () => {
    const sent = canonicalQuery(ARNS);
    expect(canonicalQuery(new URL(`https://h/sessions?${sent}`).searchParams)).toBe(sent);
    // Order on the wire does not matter; a form-encoded "+" is a space.
    expect(canonicalQuery(new URLSearchParams('roleArn=r&profileArn=p+q'))).toBe('profileArn=p%20q&roleArn=r');
    expect(canonicalQuery({})).toBe('');
    expect(canonicalQuery({ skipped: undefined })).toBe('');
  });
});

describe('canonicalHeaders', () => {
  const headers = {
    'Content-Type': 'application/json',
    Host: 'rolesanywhere.eu-west-1.amazonaws.com',
    'X-Amz-Date': '20260401T120000Z',
    'X-Custom': '  a   b \t c  ',
    Authorization: 'AWS4-X509-ECDSA-SHA256 ...',
    'User-Agent': 'agent/1.0',
    'X-Amzn-Trace-Id': 'Root=1-abc',
  };

  test('lowercase, sorted, trimmed, inner whitespace collapsed; Authorization, User-Agent and X-Amzn-Trace-Id left out', () => {
    const canonical = canonicalHeaders(headers);
    expect(canonical.names).toEqual(['content-type', 'host', 'x-amz-date', 'x-custom']);
    expect(canonical.signedHeaders).toBe('content-type;host;x-amz-date;x-custom');
    expect(canonical.block).toBe('content-type:application/json\nhost:rolesanywhere.eu-west-1.amazonaws.com\nx-amz-date:20260401T120000Z\nx-custom:a b c\n');
  });

  test('values equal smithy getCanonicalHeaders', () => {
    const canonical = canonicalHeaders(headers);
    const smithy = getCanonicalHeaders(smithyRequest({ headers }));
    expect(Object.keys(smithy).sort()).toEqual(canonical.names);
    for (const name of canonical.names) expect(canonicalHeaderValue(headers[Object.keys(headers).find((h) => h.toLowerCase() === name)! as keyof typeof headers])).toBe(smithy[name]);
  });

  test('repeated headers and names that differ only in case are joined with "," in order', () => {
    expect(canonicalHeaders({ 'X-A': ' one ', 'x-a': ['two  2', 'three'] }).block).toBe('x-a:one,two 2,three\n');
  });

  test('with SignedHeaders from the Authorization header: exactly those, and a missing one is an error', () => {
    const canonical = canonicalHeaders({ host: 'h', 'x-amz-date': 'd', 'x-extra': 'not signed' }, ['x-amz-date', 'host']);
    expect(canonical.block).toBe('host:h\nx-amz-date:d\n');
    expect(() => canonicalHeaders({ host: 'h' }, ['host', 'x-amz-x509'])).toThrow(MalformedSignatureError);
    expect(() => canonicalHeaders({ host: 'h' }, ['host', 'x-amz-x509'])).toThrow(
      'Roles Anywhere request: SignedHeaders "x-amz-x509" names a header the request does not carry. Fix: sign only headers that are sent, and send every header that is signed',
    );
  });
});

describe('canonicalPath', () => {
  test('keeps /sessions, resolves dot segments and encodes each segment', () => {
    expect(canonicalPath('/sessions')).toBe('/sessions');
    expect(canonicalPath('/a/./b/../c//d/')).toBe('/a/c/d/');
    expect(canonicalPath('/a b/%2F')).toBe('/a%20b/%252F');
  });
});

describe('canonicalRequest and stringToSign', () => {
  const now = new Date('2026-04-01T12:34:56.789Z');
  const body = '{"durationSeconds":900}';
  const headers = { 'Content-Type': 'application/json', Host: 'rolesanywhere.eu-west-1.amazonaws.com', 'X-Amz-Date': formatAmzDate(now), 'X-Amz-X509': 'MIIB+/=' };

  test('equal the ones smithy builds, byte for byte', async () => {
    const reference = await new SmithyReference('eu-west-1').sign(smithyRequest({ headers, query: { ...ARNS }, body }), now, 'AWS4-X509-ECDSA-SHA256');
    const canonical = canonicalRequest({ query: ARNS, headers: canonicalHeaders(headers), payloadHash: payloadHash(body) });
    expect(canonical).toBe(reference.canonicalRequest);
    expect(stringToSign('AWS4-X509-ECDSA-SHA256', formatAmzDate(now), credentialScope('20260401', 'eu-west-1'), canonical)).toBe(reference.stringToSign);
  });

  test('have the documented layout', () => {
    const canonical = canonicalRequest({ query: {}, headers: canonicalHeaders({ host: 'h' }), payloadHash: payloadHash('') });
    expect(canonical).toBe('POST\n/sessions\n\nhost:h\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const sts = stringToSign('AWS4-X509-RSA-SHA256', '20260401T123456Z', credentialScope('20260401', 'eu-west-1'), canonical);
    expect(sts).toBe(`AWS4-X509-RSA-SHA256\n20260401T123456Z\n20260401/eu-west-1/rolesanywhere/aws4_request\n${crypto.createHash('sha256').update(canonical).digest('hex')}`);
  });

  test('payloadHash hashes strings as UTF-8 and bytes as they are', () => {
    expect(payloadHash('é')).toBe(payloadHash(Buffer.from([0xc3, 0xa9])));
    expect(payloadHash('{}')).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});

describe('formatAmzDate and parseAmzDate', () => {
  test('UTC, seconds truncated, and back', () => {
    expect(formatAmzDate(new Date('2026-04-01T02:03:04.999Z'))).toBe('20260401T020304Z');
    expect(parseAmzDate('20260401T020304Z').toISOString()).toBe('2026-04-01T02:03:04.000Z');
  });

  test.each(['20260231T000000Z', '20260401T246000Z', '2026-04-01T02:03:04Z', '20260401T020304', ''])('rejects %j', (value) => {
    expect(() => parseAmzDate(value)).toThrow(/X-Amz-Date .* is not a UTC time in the form YYYYMMDDTHHMMSSZ/);
  });

  test('rejects an invalid Date', () => {
    expect(() => formatAmzDate(new Date('nope'))).toThrow(AttestGateError);
  });
});

describe('parseAuthorizationHeader', () => {
  const valid = formatAuthorizationHeader({
    algorithm: 'AWS4-X509-ECDSA-SHA256',
    serialNumber: '340282366920938463463374607431768211455',
    scope: credentialScope('20260401', 'us-gov-west-1'),
    signedHeaders: 'content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain',
    signature: '3045022100ab',
  });

  test('reads what formatAuthorizationHeader writes', () => {
    expect(valid).toBe(
      'AWS4-X509-ECDSA-SHA256 Credential=340282366920938463463374607431768211455/20260401/us-gov-west-1/rolesanywhere/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain, Signature=3045022100ab',
    );
    expect(parseAuthorizationHeader(valid)).toEqual({
      algorithm: 'AWS4-X509-ECDSA-SHA256',
      credential: { serialNumber: '340282366920938463463374607431768211455', date: '20260401', region: 'us-gov-west-1', service: 'rolesanywhere', terminator: 'aws4_request' },
      scope: '20260401/us-gov-west-1/rolesanywhere/aws4_request',
      signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-x509', 'x-amz-x509-chain'],
      signature: '3045022100ab',
    });
  });

  test('accepts components in any order, with or without spaces after the commas', () => {
    const parsed = parseAuthorizationHeader('AWS4-X509-RSA-SHA256 Signature=00ff,SignedHeaders=host,Credential=1/20260401/eu-west-1/rolesanywhere/aws4_request');
    expect(parsed.algorithm).toBe('AWS4-X509-RSA-SHA256');
    expect(parsed.credential.serialNumber).toBe('1');
    expect(parsed.signedHeaders).toEqual(['host']);
  });

  const credential = 'Credential=42/20260401/eu-west-1/rolesanywhere/aws4_request';
  test.each([
    ['', /value "" is empty/],
    [`AWS4-X509-MLDSA ${credential}, SignedHeaders=host, Signature=00`, /algorithm "AWS4-X509-MLDSA" is accepted by Roles Anywhere but not by attestgate/],
    [`AWS4-HMAC-SHA256 ${credential}, SignedHeaders=host, Signature=00`, /is SigV4 with an access key/],
    [`AWS4-X509-RSA-SHA384 ${credential}, SignedHeaders=host, Signature=00`, /algorithm "AWS4-X509-RSA-SHA384" is not a supported algorithm\. Fix: use AWS4-X509-RSA-SHA256 or AWS4-X509-ECDSA-SHA256/],
    [`AWS4-X509-RSA-SHA256 ${credential}, SignedHeaders=host`, /Signature \(unset\) is missing/],
    [`AWS4-X509-RSA-SHA256 ${credential}, SignedHeaders=host, Signature=00, Signature=00`, /Signature "Signature=00" appears twice/],
    [`AWS4-X509-RSA-SHA256 ${credential}, SignedHeaders=host, Signature=00, Extra=1`, /component "Extra=1" is not one of/],
    ['AWS4-X509-RSA-SHA256 Credential=42/20260401/eu-west-1/rolesanywhere, SignedHeaders=host, Signature=00', /Credential ".*" has 4 "\/"-separated parts/],
    ['AWS4-X509-RSA-SHA256 Credential=0x2a/20260401/eu-west-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00', /Credential serial number "0x2a" is not a decimal integer/],
    ['AWS4-X509-RSA-SHA256 Credential=042/20260401/eu-west-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00', /serial number "042" is not a decimal integer without leading zeros/],
    ['AWS4-X509-RSA-SHA256 Credential=42/20260230/eu-west-1/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00', /Credential date "20260230" is not a date/],
    ['AWS4-X509-RSA-SHA256 Credential=42/20260401/EU_WEST/rolesanywhere/aws4_request, SignedHeaders=host, Signature=00', /Credential region "EU_WEST" is not a region name/],
    ['AWS4-X509-RSA-SHA256 Credential=42/20260401/eu-west-1/sts/aws4_request, SignedHeaders=host, Signature=00', /Credential service "sts" is not "rolesanywhere"/],
    ['AWS4-X509-RSA-SHA256 Credential=42/20260401/eu-west-1/rolesanywhere/aws4_reqest, SignedHeaders=host, Signature=00', /Credential terminator "aws4_reqest" is not "aws4_request"/],
    [`AWS4-X509-RSA-SHA256 ${credential}, SignedHeaders=Host;x-amz-date, Signature=00`, /holds "Host", which is not a lowercase header name/],
    [`AWS4-X509-RSA-SHA256 ${credential}, SignedHeaders=x-amz-date;host, Signature=00`, /SignedHeaders "x-amz-date;host" is not sorted or repeats a name/],
    [`AWS4-X509-RSA-SHA256 ${credential}, SignedHeaders=host;host, Signature=00`, /is not sorted or repeats a name/],
    [`AWS4-X509-RSA-SHA256 ${credential}, SignedHeaders=host, Signature=ABCD`, /Signature "ABCD" is not lowercase hex of whole bytes/],
    [`AWS4-X509-RSA-SHA256 ${credential}, SignedHeaders=host, Signature=abc`, /is not lowercase hex of whole bytes/],
  ])('rejects %j', (header, message) => {
    let thrown: unknown;
    try {
      parseAuthorizationHeader(header);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MalformedSignatureError);
    expect(thrown).toBeInstanceOf(AttestGateError);
    expect((thrown as Error).message).toMatch(/^Authorization header: /);
    expect((thrown as Error).message).toMatch(message);
  });
});
