# The GCP gate of examples/gcp, written in HCL: a workload identity pool whose OIDC provider trusts
# the SPIRE server's issuer and pins the deployer's SPIFFE ID, and a service account only that
# subject may impersonate. plan.json beside it is what `terraform show -json` prints for its plan
# (written by hand in the documented JSON Output Format: no Terraform binary runs here).

provider "google" {
  project = "attestgate-example"
}

resource "google_iam_workload_identity_pool" "agents" {
  workload_identity_pool_id = "attested-agents"
}

resource "google_iam_workload_identity_pool_provider" "spire" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.agents.workload_identity_pool_id
  workload_identity_pool_provider_id = "spire"
  attribute_mapping                  = { "google.subject" = "assertion.sub" }
  attribute_condition                = "assertion.sub == 'spiffe://prod.example/agent/deployer'"
  oidc {
    issuer_uri        = "https://oidc.prod.example"
    allowed_audiences = ["gcp"]
    jwks_json         = file("${path.module}/../../gcp/spire-jwks.json")
  }
}

module "deployer" {
  source = "./modules/agent-account"
  name   = "deployer-agent"
  member = "principal://iam.googleapis.com/${google_iam_workload_identity_pool.agents.name}/subject/spiffe://prod.example/agent/deployer"
  roles  = ["roles/editor"]
}
