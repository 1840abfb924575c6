# The AWS gate of examples/aws, written in HCL: a Roles Anywhere trust anchor on the agents' CA
# with its CRL (through the Cloud Control provider: the AWS provider has no CRL resource), a
# profile with one-hour sessions, and a role only that anchor's certificates for the deployer's
# SPIFFE ID can assume. plan.json beside it is `terraform show -json` of its plan, written by hand.

provider "aws" {
  region = "eu-west-1"
}

resource "aws_rolesanywhere_trust_anchor" "agents" {
  name    = "agents"
  enabled = true
  source {
    source_type = "CERTIFICATE_BUNDLE"
    source_data {
      x509_certificate_data = file("${path.module}/../../aws/pki/example-ca.pem")
    }
  }
}

resource "awscc_rolesanywhere_crl" "agents" {
  name             = "agents"
  enabled          = true
  crl_data         = file("${path.module}/../../aws/pki/example-ca.crl.pem")
  trust_anchor_arn = aws_rolesanywhere_trust_anchor.agents.arn
}

data "aws_iam_policy_document" "trust" {
  statement {
    principals {
      type        = "Service"
      identifiers = ["rolesanywhere.amazonaws.com"]
    }
    actions = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_rolesanywhere_trust_anchor.agents.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/x509SAN/URI"
      values   = ["spiffe://prod.example/agent/deployer"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalTag/x509Subject/CN"
      values   = ["deployer"]
    }
  }
}

resource "aws_iam_role" "deployer" {
  name                 = "deployer"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "power_user" {
  role       = aws_iam_role.deployer.name
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_rolesanywhere_profile" "deployer" {
  name             = "deployer"
  enabled          = true
  duration_seconds = 3600
  role_arns        = [aws_iam_role.deployer.arn]
}
