"""The sandbox's own control API and switches (/_sandbox/...): not Discourse, as moto_api is not AWS."""
