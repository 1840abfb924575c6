import * as sts from '@aws-sdk/client-sts';
import { STS_ACTIONS, STS_API_VERSION, STS_MESSAGES, STS_XML_NAMESPACE, isStsAction } from '../../../lib/model/aws/sts';

describe('the STS model', () => {
  test('lists exactly the operations of the STS API @aws-sdk/client-sts is generated from', () => {
    const commands = Object.keys(sts)
      .filter((name) => /^[A-Z]\w*Command$/.test(name))
      .map((name) => name.slice(0, -'Command'.length))
      .sort();
    expect([...STS_ACTIONS].sort()).toEqual(commands);
  });

  test('an action outside the list is not STS’s, whatever its case', () => {
    expect(isStsAction('GetCallerIdentity')).toBe(true);
    expect(isStsAction('getcalleridentity')).toBe(false);
    expect(isStsAction('WhoAmI')).toBe(false);
  });

  test('the version, namespace and InvalidAction message STS answers with', () => {
    expect(STS_API_VERSION).toBe('2011-06-15');
    expect(STS_XML_NAMESPACE).toBe('https://sts.amazonaws.com/doc/2011-06-15/');
    expect(STS_MESSAGES.invalidAction('WhoAmI')).toBe('Could not find operation WhoAmI for version 2011-06-15');
  });
});
