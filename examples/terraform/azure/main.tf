# The Azure gate of examples/azure, written in HCL: a user-assigned managed identity with one
# federated credential per SPIRE issuer, both for the deployer's SPIFFE ID, and Contributor on the
# subscription. plan.json beside it is `terraform show -json` of its plan, written by hand.

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "agents" {
  name     = "attestgate-agents"
  location = "westeurope"
}

resource "azurerm_user_assigned_identity" "deployer" {
  name                = "deployer"
  resource_group_name = azurerm_resource_group.agents.name
  location            = azurerm_resource_group.agents.location
}

resource "azurerm_federated_identity_credential" "spire" {
  for_each            = { prod = "https://oidc.prod.example", eu = "https://oidc.eu.prod.example" }
  name                = "spire-${each.key}"
  resource_group_name = azurerm_resource_group.agents.name
  parent_id           = azurerm_user_assigned_identity.deployer.id
  issuer              = each.value
  subject             = "spiffe://prod.example/agent/deployer"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_role_assignment" "contributor" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.deployer.principal_id
}
