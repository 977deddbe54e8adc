<?php
/**
 * Plugin Name: perrypress editions
 * Description: Stable addresses for the papers perrypress publishes. An entry's address with ?edition=pdf (or docx, cite:bib, cite:ris, data:<name>.csv) redirects to the file the entry shows now; an address of an earlier release's file (deleted after the switch) redirects to the file that replaced it, or to the entry. Read-only: no settings, no tables, no writes.
 * Version: 1
 * License: MIT
 *
 * Install: copy this one file to wp-content/mu-plugins/ (a must-use plugin: no activation, nothing to configure).
 * It reads the `perrypress-files` comment perrypress writes in each entry's content:
 *   {"current": {"pdf": "<url>", ...}, "previous": {"<url of an earlier release's file>": "pdf", ...}}
 * Old addresses reach WordPress only if the web server hands requests for missing files to index.php (WordPress's
 * own .htaccess and the usual nginx `try_files $uri $uri/ /index.php?$args;` do).
 */

if (!defined('ABSPATH')) {
    exit;
}

/**
 * The perrypress-files record of a post's content, or null. Only a post whose author may post unfiltered HTML (as
 * perrypress requires) counts, and only addresses of this site's uploads: nobody else can send readers elsewhere.
 */
function perrypress_editions_files(WP_Post $post): ?array {
    if (!preg_match('/<!-- perrypress-files (\{.*?\}) -->/s', $post->post_content, $match)
        || !user_can((int) $post->post_author, 'unfiltered_html')) {
        return null;
    }
    $files = json_decode($match[1], true);
    if (!is_array($files)) {
        return null;
    }
    $ours = trailingslashit(wp_get_upload_dir()['baseurl']);
    $mine = function ($url) use ($ours) {
        return is_string($url) && strpos($url, $ours) === 0;
    };
    return [
        'current' => array_filter((array) ($files['current'] ?? []), $mine),
        'previous' => array_filter((array) ($files['previous'] ?? []), $mine, ARRAY_FILTER_USE_KEY),
    ];
}

/** Redirect (302: the target changes with each release) and stop. */
function perrypress_editions_redirect(string $url): void {
    nocache_headers();
    header('X-Robots-Tag: noindex');
    wp_redirect($url, 302, 'perrypress-editions');
    exit;
}

add_action('template_redirect', function () {
    // <entry>?edition=pdf: the file the entry shows now.
    if (isset($_GET['edition']) && is_singular()) {
        $post = get_queried_object();
        $files = $post instanceof WP_Post ? perrypress_editions_files($post) : null;
        $key = sanitize_text_field(wp_unslash((string) $_GET['edition']));
        if ($files && isset($files['current'][$key])) {
            perrypress_editions_redirect($files['current'][$key]);
        }
        return;
    }
    // An earlier release's file, deleted: the file of the same role in the entry now, else the entry. (Not
    // is_404(): how WordPress resolves a path with a file extension depends on the server and the permalinks.)
    $path = (string) wp_parse_url($_SERVER['REQUEST_URI'] ?? '', PHP_URL_PATH);
    $dir = wp_get_upload_dir();
    $uploads = trailingslashit((string) wp_parse_url($dir['baseurl'], PHP_URL_PATH));
    if ($path === '' || strpos($path, $uploads) !== 0
        || file_exists($dir['basedir'] . '/' . rawurldecode(substr($path, strlen($uploads))))) {
        return;
    }
    global $wpdb;
    $ids = $wpdb->get_col($wpdb->prepare(
        "SELECT ID FROM {$wpdb->posts} WHERE post_status = 'publish' AND post_content LIKE %s AND post_content LIKE %s"
        . ' ORDER BY post_modified_gmt DESC, ID DESC',  // an address two entries once used: the latest entry's
        '%<!-- perrypress-files %',
        '%' . $wpdb->esc_like($path) . '%'
    ));
    foreach ($ids as $id) {
        $post = get_post((int) $id);
        $files = $post ? perrypress_editions_files($post) : null;
        if (!$files || !is_post_publicly_viewable($post)) {
            continue;
        }
        foreach ($files['previous'] as $url => $key) {
            if (wp_parse_url($url, PHP_URL_PATH) === $path) {
                perrypress_editions_redirect($files['current'][$key] ?? get_permalink($post));
            }
        }
    }
}, 1);

// perrypress asks the REST index whether this plugin is there (namespace perrypress/v1).
add_action('rest_api_init', function () {
    register_rest_route('perrypress/v1', '/editions', [
        'methods' => 'GET',
        'permission_callback' => '__return_true',
        'callback' => function () {
            return ['plugin' => 'perrypress-editions', 'version' => 1];
        },
    ]);
});
