variable "name" { type = string }
variable "member" { type = string }
variable "roles" { type = list(string) }

resource "google_service_account" "this" {
  account_id = var.name
}

resource "google_service_account_iam_member" "workload_identity_user" {
  service_account_id = google_service_account.this.name
  role               = "roles/iam.workloadIdentityUser"
  member             = var.member
}

resource "google_project_iam_member" "roles" {
  for_each = toset(var.roles)
  project  = "attestgate-example"
  role     = each.value
  member   = google_service_account.this.member
}
