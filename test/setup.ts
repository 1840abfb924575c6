// aws-cdk-lib's built-in CloudFormation validation costs ~3 s per synth. Unit tests switch it
// off; test/packs/cloudformation-validation.test.ts switches it back on for its own app.
process.env.CDK_VALIDATION = 'false';
