terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # invoked_via_function_url (public Function URLs need lambda:InvokeFunction too since
      # October 2025) is in the 6.x provider.
      version = ">= 6.20, < 7.0"
    }
  }
}
