import { App, Stack } from 'aws-cdk-lib';
import { CfnProfile } from 'aws-cdk-lib/aws-rolesanywhere';
import { buildExampleApp } from '../../examples/aws/app';

/**
 * The one test that runs aws-cdk-lib's built-in CloudFormation validation (≈3 s per synth), with
 * @aws-cdk/core:validateAgainstDefaultRules so that schema violations fail synth: it proves the
 * constructs emit schema-valid resources and that the validation is really on.
 */
describe('built-in CloudFormation validation', () => {
  const previous = process.env.CDK_VALIDATION;
  beforeAll(() => {
    delete process.env.CDK_VALIDATION;
  });
  afterAll(() => {
    process.env.CDK_VALIDATION = previous;
  });
  const strict = { context: { '@aws-cdk/core:validateAgainstDefaultRules': true } };

  test('the example app passes it', () => {
    const { app } = buildExampleApp(new App(strict));
    expect(() => app.synth()).not.toThrow();
  });

  test('a schema violation fails synth', () => {
    const app = new App(strict);
    const stack = new Stack(app, 'Broken');
    new CfnProfile(stack, 'Profile', { name: 'p', roleArns: ['not-an-arn'], durationSeconds: 99_999_999 });
    expect(() => app.synth()).toThrow(/DurationSeconds: 99999999 is greater than the maximum of 43200/);
  });
});
