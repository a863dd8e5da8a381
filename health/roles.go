package health

import "github.com/tunduk-onboard/tunduk-onboard/xroad"

// Roles the health look's API key needs, read-only where 7.4.2 allows:
// X-Road 7.4.2 admin-service permissions.yml gives diagnostics and
// backup_configuration (GET /backups) to the system administrator only,
// view_clients to the observer (not the system administrator), view_keys
// and view_version to both.
var Roles = []string{xroad.RoleSystemAdministrator, xroad.RoleObserver}
