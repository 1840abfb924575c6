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

# One credential per issuer, the second created after the first: Entra refuses concurrent writes
# of one identity's federated credentials (AG-AZ-003).
resource "azurerm_federated_identity_credential" "spire_prod" {
  name                = "spire-prod"
  resource_group_name = azurerm_resource_group.agents.name
  parent_id           = azurerm_user_assigned_identity.deployer.id
  issuer              = "https://oidc.prod.example"
  subject             = "spiffe://prod.example/agent/deployer"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_federated_identity_credential" "spire_eu" {
  name                = "spire-eu"
  resource_group_name = azurerm_resource_group.agents.name
  parent_id           = azurerm_user_assigned_identity.deployer.id
  issuer              = "https://oidc.eu.prod.example"
  subject             = "spiffe://prod.example/agent/deployer"
  audience            = ["api://AzureADTokenExchange"]
  depends_on          = [azurerm_federated_identity_credential.spire_prod]
}

resource "azurerm_role_assignment" "contributor" {
  scope                = "/subscriptions/00000000-0000-0000-0000-000000000000"
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.deployer.principal_id
}
