"""A real WordPress on 127.0.0.1 for the publishing tests: Debian's package, MariaDB and `php -S`.

MariaDB runs as a plain process on a socket in a temporary folder (no network;
its root user has no password, so any OS user can run the tests);
WordPress is copied from /usr/share/wordpress, configured by a wp-config.php of
our own, installed from PHP, and served by PHP's built-in server with a small
router. A must-use plugin stands in for the Center's document-library plugin:
a ``publication`` post type with the library's taxonomies and meta fields, as
named in config/config.yaml. Every process is started in its own process group
and killed as a group.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

WORDPRESS = Path("/usr/share/wordpress")
# The mu-plugin the Center's site installs for stable addresses (README: Publishing); the test site has it too.
EDITIONS_PLUGIN = Path(__file__).resolve().parents[2] / "src/perrypress/publish/site/perrypress-editions.php"
TOOLS = ["php", "mariadbd", "mariadb-install-db", "mariadb-admin"]


def missing() -> str | None:
    """Why a WordPress cannot be started here, or None when everything is installed."""
    absent = [tool for tool in TOOLS if not shutil.which(tool) and not Path("/usr/sbin", tool).exists()]
    if not (WORDPRESS / "wp-load.php").exists():
        absent.append("wordpress (/usr/share/wordpress)")
    if shutil.which("php"):
        modules = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.lower().split()
        absent += [f"php-{m}" for m in ("mysqli",) if m not in modules]
    if absent:
        return ("a real WordPress needs Debian's " + ", ".join(absent)
                + " (.ci/run installs them: php-cli php-mysql php-xml php-mbstring mariadb-server wordpress)")
    return None


def _tool(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kill_group(process: subprocess.Popen[Any]) -> None:
    """Stop a process started with start_new_session and everything in its group (PHP's workers)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=5)


ROUTER = """<?php
// php -S router: real files as they are, everything else to WordPress.
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$file = __DIR__ . $path;
if ($path !== '/' && is_file($file) && substr($file, -4) !== '.php') { return false; }
if ($path !== '/' && is_file($file)) { $_SERVER['SCRIPT_NAME'] = $path; require $file; return true; }
$_SERVER['SCRIPT_NAME'] = '/index.php';
require __DIR__ . '/index.php';
"""

WP_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
{salts}
$table_prefix = 'wp_';
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('DISABLE_WP_CRON', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
define('WP_CONTENT_DIR', __DIR__ . '/wp-content');
define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
"""

PLUGIN = """<?php
/* Stand-in for the Center's document-library plugin (test only). Names come from config/config.yaml. */
$perrypress = json_decode(file_get_contents(__DIR__ . '/perrypress-library.json'), true);
add_action('init', function () use ($perrypress) {{
    register_post_type($perrypress['post_type'], [
        'public' => true, 'label' => 'Publications', 'show_in_rest' => true,
        'rest_base' => $perrypress['rest_base'],
        'supports' => ['title', 'editor', 'excerpt', 'thumbnail', 'custom-fields'],
    ]);
    foreach ($perrypress['taxonomies'] as $taxonomy) {{
        register_taxonomy($taxonomy, $perrypress['post_type'], ['public' => true, 'show_in_rest' => true,
            'label' => $taxonomy, 'hierarchical' => false]);
    }}
    foreach ($perrypress['meta'] as $key => $type) {{
        register_post_meta($perrypress['post_type'], $key, ['type' => $type, 'single' => true,
            'show_in_rest' => true]);
    }}
}});
// Failure injection: refuse every change to an entry while the option is set.
add_filter('rest_pre_insert_' . $perrypress['post_type'], function ($post, $request) {{
    if (get_option('perrypress_test_refuse_entry')) {{
        return new WP_Error('perrypress_test_refused', 'Entry refused by the test', ['status' => 403]);
    }}
    return $post;
}}, 10, 2);
// No sendmail here.
if (!function_exists('wp_mail')) {{ function wp_mail() {{ return true; }} }}
"""

INSTALL = """<?php
define('WP_INSTALLING', true);
require __DIR__ . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('Perry Center (test)', 'admin', 'admin@example.invalid', true, '', '{password}');
update_option('permalink_structure', '/%postname%/');
$user = get_user_by('login', 'admin');
[$app_password, $item] = WP_Application_Passwords::create_new_application_password($user->ID, ['name' => 'perrypress']);
file_put_contents(__DIR__ . '/app-password.txt', $app_password);
// An Author: may upload and write entries, but has no unfiltered_html.
$author = wp_insert_user(['user_login' => 'author', 'user_pass' => '{password}', 'role' => 'author',
                          'user_email' => 'author@example.invalid']);
[$author_password, $item] = WP_Application_Passwords::create_new_application_password($author, ['name' => 'perrypress']);
file_put_contents(__DIR__ . '/author-password.txt', $author_password);
switch_theme(is_dir(__DIR__ . '/wp-content/themes/twentytwentythree') ? 'twentytwentythree' : 'perrypress-test');
"""

# Debian's wordpress-theme-twentytwentythree (a real block theme) when installed; else a minimal one.
THEME_CSS = "/*\nTheme Name: perrypress test\n*/\n"
THEME_INDEX = """<!DOCTYPE html>
<html <?php language_attributes(); ?>><head><meta charset="utf-8"><?php wp_head(); ?></head>
<body><main><?php while (have_posts()) { the_post(); the_title('<h1>', '</h1>'); the_content(); } ?></main>
<?php wp_footer(); ?></body></html>
"""

FLUSH = """<?php
require __DIR__ . '/wp-load.php';
flush_rewrite_rules(true);
"""


@dataclass
class WordPress:
    """A running WordPress and how to reach it."""

    url: str
    user: str
    app_password: str
    site: Path
    author_password: str = ""
    processes: list[subprocess.Popen[Any]] = field(default_factory=list)

    def php(self, code: str) -> str:
        """Run PHP with WordPress loaded (a second process beside the server); return its output."""
        script = self.site / f".php-{secrets.token_hex(4)}.php"
        script.write_text(f"<?php\nrequire __DIR__ . '/wp-load.php';\n{code}\n", encoding="utf-8")
        try:
            result = subprocess.run(["php", str(script)], capture_output=True, text=True, timeout=60)
        finally:
            script.unlink()
        if result.returncode != 0:
            raise RuntimeError(f"php failed: {result.stdout}{result.stderr}")
        return result.stdout

    def get(self, route: str, **params: Any) -> Any:
        """GET a REST route as the test user, in edit context; return the JSON."""
        response = requests.get(f"{self.url}/wp-json{route}", params={"context": "edit", **params},
                                auth=(self.user, self.app_password), timeout=30)
        response.raise_for_status()
        return response.json()

    def env(self, *, password: str | None = None, user: str | None = None) -> dict[str, str]:
        """The environment variables perrypress reads its credentials from (the administrator's unless given)."""
        return {"PERRYPRESS_WP_USER": user or self.user, "PERRYPRESS_WP_APP_PASSWORD": password or self.app_password}

    @property
    def theme(self) -> str:
        """The active theme's stylesheet name."""
        return self.php("echo get_stylesheet();").strip()

    @property
    def editions_plugin(self) -> Path:
        """The perrypress-editions mu-plugin in the site (a test may move it aside and back)."""
        return self.site / "wp-content" / "mu-plugins" / EDITIONS_PLUGIN.name

    def stop(self) -> None:
        """Kill every server, newest first."""
        for process in reversed(self.processes):
            kill_group(process)


def _wait(check: Any, *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not start within {timeout:.0f} s")


def start(base: Path, *, library: dict[str, Any]) -> WordPress:
    """Start MariaDB and WordPress under ``base``; ``library`` names the post type, taxonomies and meta keys."""
    data, site, sock = base / "mysql", base / "site", base / "mysql" / "mysql.sock"
    logs = base / "logs"
    logs.mkdir(parents=True)
    subprocess.run([_tool("mariadb-install-db"), "--user=root", f"--datadir={data}",
                    "--auth-root-authentication-method=normal", "--skip-test-db"],
                   check=True, capture_output=True, timeout=120)
    wordpress = WordPress(url="", user="admin", app_password="", site=site)
    try:
        wordpress.processes.append(subprocess.Popen(
            [_tool("mariadbd"), "--no-defaults", "--user=root", f"--datadir={data}", f"--socket={sock}",
             "--skip-networking", "--innodb-buffer-pool-size=32M", "--innodb-flush-log-at-trx-commit=0",
             f"--log-error={logs / 'mariadb.log'}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        _wait(lambda: subprocess.run([_tool("mariadb-admin"), f"--socket={sock}", "-uroot", "ping"],
                                     capture_output=True).returncode == 0, what="MariaDB")
        subprocess.run([_tool("mariadb-admin"), f"--socket={sock}", "-uroot", "create", "wordpress"], check=True)

        subprocess.run(["cp", "-rL", str(WORDPRESS), str(site)], check=True)
        port = free_port()
        wordpress.url = f"http://127.0.0.1:{port}"
        salts = "\n".join(f"define('{k}', '{secrets.token_hex(16)}');" for k in
                          ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
                           "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT"])
        (site / "wp-config.php").unlink(missing_ok=True)
        (site / "wp-config.php").write_text(WP_CONFIG.format(socket=sock, salts=salts, url=wordpress.url))
        (site / "router.php").write_text(ROUTER)
        mu = site / "wp-content" / "mu-plugins"
        mu.mkdir(parents=True, exist_ok=True)
        (mu / "perrypress-library.json").write_text(json.dumps(library))
        (mu / "perrypress-library.php").write_text(PLUGIN.format())
        shutil.copyfile(EDITIONS_PLUGIN, mu / EDITIONS_PLUGIN.name)
        theme = site / "wp-content" / "themes" / "perrypress-test"
        theme.mkdir(parents=True)
        (theme / "style.css").write_text(THEME_CSS)
        (theme / "index.php").write_text(THEME_INDEX)
        (site / "install.php.tmp").write_text(INSTALL.format(password=secrets.token_hex(12)))
        subprocess.run(["php", str(site / "install.php.tmp")], check=True, capture_output=True, timeout=180)
        (site / "install.php.tmp").unlink()
        (site / "flush.php.tmp").write_text(FLUSH)
        subprocess.run(["php", str(site / "flush.php.tmp")], check=True, capture_output=True, timeout=60)
        (site / "flush.php.tmp").unlink()
        wordpress.app_password = (site / "app-password.txt").read_text().strip()
        (site / "app-password.txt").unlink()
        wordpress.author_password = (site / "author-password.txt").read_text().strip()
        (site / "author-password.txt").unlink()

        server_log = (logs / "php.log").open("wb")
        wordpress.processes.append(subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{port}", "-t", str(site), str(site / "router.php")],
            cwd=site, stdout=server_log, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "2"}))
        _wait(lambda: requests.get(f"{wordpress.url}/wp-json/", timeout=5).status_code == 200, what="WordPress")
    except BaseException:
        wordpress.stop()
        raise
    return wordpress
