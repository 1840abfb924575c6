import { Testing } from 'cdk8s';
import { NodeAliasStaticEntry } from '../../lib/spiffe/node-alias-static-entry';
import { SpiffeNodeAlias } from '../../lib/spiffe/spiffe-node-alias';
import { digest } from '../fixtures/spiffe';

describe('NodeAliasStaticEntry', () => {
  test('the node entry: parent the server, the node selectors', () => {
    const chart = Testing.chart();
    new NodeAliasStaticEntry(chart, 'BuildNodes', { alias: new SpiffeNodeAlias({ spiffeId: 'spiffe://prod.example/nodes/build', selectors: [`tpm:pub_hash:${digest('b')}`, 'aws_iid:account_id:123456789012'] }), name: 'build-nodes' });
    const [manifest] = Testing.synth(chart);
    expect(manifest).toEqual({
      apiVersion: 'spire.spiffe.io/v1alpha1',
      kind: 'ClusterStaticEntry',
      metadata: { name: 'build-nodes' },
      spec: { spiffeID: 'spiffe://prod.example/nodes/build', parentID: 'spiffe://prod.example/spire/server', selectors: [`tpm:pub_hash:${digest('b')}`, 'aws_iid:account_id:123456789012'] },
    });
  });
});
