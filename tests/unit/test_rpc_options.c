/* test_rpc_options.c: the RPC server's options: rpc* settings read from a
 * config, and the refusals of rpc_server_new (non-loopback bind without
 * -rpcallowip, bad subnet, bad rpcauth, no credentials, limits). Nothing is
 * bound here. */
#include "node/rpc_server.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

#define ALICE_ENTRY                                                                                \
	"alice:cb77f0957de88ff388cf817ddbc7273$"                                                   \
	"c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8"

static int nop_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)err;
	*result = json_object();
	return 0;
}

static const struct rpc_method test_methods[] = {
	{ "nop", "does nothing", NULL, 0, true, nop_handler },
	{ "nop2", "does nothing either", NULL, 0, false, nop_handler },
};

static void test_server_refuses_bad_options(void **state UNUSED)
{
	struct rpc_server_opts o;
	struct rpc_server *srv;
	char err[256];

	rpc_server_opts_default(&o);
	o.rpcauth[0] = ALICE_ENTRY;
	o.num_rpcauth = 1;
	o.bind[0] = "0.0.0.0";
	o.num_bind = 1;
	assert_null(rpc_server_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "give -rpcallowip"));
	o.allowip[0] = "10.0.0.0/8";
	o.num_allowip = 1;
	srv = rpc_server_new(&o, err, sizeof(err));
	assert_non_null(srv);
	rpc_server_free(srv);
	o.allowip[0] = "10.0.0.0/99";
	assert_null(rpc_server_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "-rpcallowip=10.0.0.0/99"));
	o.num_allowip = 0;
	o.num_bind = 0;
	o.rpcauth[0] = "alice:nohmac";
	assert_null(rpc_server_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "-rpcauth"));
	o.num_rpcauth = 0;
	assert_null(rpc_server_new(&o, err, sizeof(err)));
	assert_non_null(strstr(err, "no credentials"));
	o.user = "u";
	assert_null(rpc_server_new(&o, err, sizeof(err)));
	o.password = "p";
	o.threads = 8;
	o.max_connections = 4;
	assert_null(rpc_server_new(&o, err, sizeof(err)));
	o.max_connections = 8;
	srv = rpc_server_new(&o, err, sizeof(err));
	assert_non_null(srv);
	assert_int_equal(rpc_server_add_methods(srv, test_methods, 2, NULL, err, sizeof(err)), 0);
	assert_int_equal(rpc_server_add_methods(srv, test_methods, 1, NULL, err, sizeof(err)), -1);
	rpc_server_free(srv);
}

static void test_server_options_from_config(void **state UNUSED)
{
	struct config *cfg = malloc(sizeof(*cfg));
	char *argv[] = { "hearthd",
			 "-dev",
			 "-rpcbind=127.0.0.1:0",
			 "-rpcbind=::1",
			 "-rpcallowip=10.0.0.0/8",
			 "-rpcpublic",
			 "-rpcmaxbody=2048",
			 "-rpcmaxbatch=5",
			 "-rpcservertimeout=9",
			 "-rpcthreads=3",
			 "-rpcmaxconnections=50" };
	struct rpc_server_opts o;
	char err[256];

	assert_non_null(cfg);
	config_init(cfg);
	assert_int_equal(config_parse_args(cfg, 11, argv, err, sizeof(err)), 0);
	rpc_server_opts_default(&o);
	assert_int_equal(rpc_server_opts_from_config(&o, cfg, err, sizeof(err)), 0);
	assert_int_equal(o.num_bind, 2);
	assert_string_equal(o.bind[1], "::1");
	assert_int_equal(o.num_allowip, 1);
	assert_int_equal(o.port, RPC_DEFAULT_PORT_DEV);
	assert_true(o.public_mode);
	assert_int_equal(o.max_body, 2048);
	assert_int_equal(o.max_batch, 5);
	assert_int_equal(o.timeout_s, 9);
	assert_int_equal(o.threads, 3);
	assert_int_equal(o.max_connections, 50);
	assert_null(o.user);
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_server_refuses_bad_options),
		cmocka_unit_test(test_server_options_from_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
