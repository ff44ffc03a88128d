/*
 * What every Socomec editor shares, so each <type>.html holds only what is its own:
 * defaults and validators from the one settings schema (socomec-schema.js, generated
 * from the runtime's), the form rows every node has, select choices from the schema (the
 * register map's groups, tables, blocks, models), and the node definition around them.
 * Validators return what is wrong (Node-RED shows it as the field's tooltip).
 */
(function () {
    var CONNECTION = 'socomec-connection';
    // Node-RED loads socomec-schema.js and this file in either order: look the schema up when used.
    var schema = {
        get nodes() { return window.SocomecSchema.nodes; },
        get package() { return window.SocomecSchema.package; },
        settingProblem: function (spec, value, others) { return window.SocomecSchema.settingProblem(spec, value, others); },
    };

    /** Icons of the rows the editors share. */
    var ICONS = {
        name: 'tag', connection: 'plug', unitId: 'hashtag', model: 'microchip', topic: 'tasks', pollSeconds: 'clock-o',
        table: 'table', block: 'table', outputMode: 'sign-out', groups: 'list-ul', staleSeconds: 'clock-o',
        timeoutMs: 'clock-o', retries: 'repeat', interRequestDelayMs: 'pause', queueLimit: 'list', queueTimeoutMs: 'hourglass-half',
        unitBackoffMaxMs: 'bed', unitIds: 'list-ol', slowSeconds: 'hourglass-half', meters: 'tags',
    };

    function prefixOf(type) {
        return type === CONNECTION ? 'node-config-input' : 'node-input';
    }

    /** A setting as the open dialog shows it, else as saved (validators run in and out of the dialog). */
    function currentValue(node, type, name) {
        var input = $('#' + prefixOf(type) + '-' + name);
        if (input.length && input.closest('.red-ui-tray').length) return input.is(':checkbox') ? input.is(':checked') : input.val();
        return node[name];
    }

    function validator(type, name, spec) {
        // Two arguments: Node-RED (>= 3.1) then shows a returned string as the reason.
        return function (value, opt) {
            var others = {};
            Object.keys(schema.nodes[type]).forEach(function (other) {
                if (other !== name) others[other] = currentValue(this, type, other);
            }, this);
            var problem = schema.settingProblem(spec, value, others);
            if (!problem) return true;
            return opt ? RED._(schema.package + '/' + CONNECTION + ':' + CONNECTION + '.validation.' + problem.key, problem.params) : false;
        };
    }

    /** The node's `defaults`, straight from its schema. */
    function defaults(type) {
        var result = {};
        Object.keys(schema.nodes[type]).forEach(function (name) {
            var spec = schema.nodes[type][name];
            var entry = { value: Array.isArray(spec.value) ? spec.value.slice() : spec.value };
            if (spec.type === 'config') {
                entry.type = spec.configType;
                entry.required = true;
            } else if (spec.type !== 'boolean') {
                entry.validate = validator(type, name, spec);
            }
            result[name] = entry;
        });
        return result;
    }

    function labelKey(type, name) {
        return type + '.label.' + name;
    }

    /** The <option>s of a choice setting: names as they are, words from the node's catalog. */
    function options(type, name, spec) {
        return spec.choices.map(function (choice) {
            var option = $('<option>').attr('value', String(choice));
            if (spec.labels && spec.labels[choice]) option.text(spec.labels[choice]);
            else if (typeof choice === 'number') option.text(String(choice));
            else option.attr('data-i18n', type + '.' + name + '.' + choice);
            return option;
        });
    }

    /** One form row for a setting of the schema. */
    function row(type, name) {
        var spec = schema.nodes[type][name];
        var id = prefixOf(type) + '-' + name;
        var div = $('<div class="form-row">');
        if (spec.type === 'boolean') {
            div.append('<label>&nbsp;</label>');
            div.append($('<input type="checkbox" style="display: inline-block; width: auto; vertical-align: top;">').attr('id', id));
            div.append($('<label style="width: auto;">').attr('for', id).attr('data-i18n', labelKey(type, name)));
            return div;
        }
        var label = $('<label>').attr('for', id).append($('<i>').addClass('fa fa-' + (ICONS[name] || 'cog'))).append(' ');
        label.append(name === 'name' ? '<span data-i18n="node-red:common.label.name"></span>' : $('<span>').attr('data-i18n', labelKey(type, name)));
        div.append(label);
        var input;
        if (spec.type === 'choice') {
            input = $('<select style="width: 70%;">').append(options(type, name, spec));
        } else {
            var numeric = spec.type === 'integer' || spec.type === 'number';
            // Wide enough for milliseconds and the placeholder that says what blank means.
            input = $('<input type="text">').css('width', numeric ? (spec.unit ? '120px' : '80px') : '70%');
            if (name === 'name') input.attr('data-i18n', '[placeholder]node-red:common.label.name');
            if (name === 'topic' || spec.placeholder) input.attr('data-i18n', '[placeholder]' + type + '.placeholder.' + name);
        }
        div.append(input.attr('id', id));
        if (spec.unit) div.append(' ' + spec.unit);
        if (spec.hint) div.append(' ').append($('<span>').attr('data-i18n', labelKey(type, name) + 'Hint'));
        return div;
    }

    /**
     * Fill the node's template: <div data-socomec-rows="a b c"> becomes the rows of those
     * settings, <div data-socomec-group="resets"> the rows of every setting of that group,
     * <select data-socomec-choices="x"> gets the choices of setting x.
     */
    function expandTemplate(type) {
        var script = $('script[data-template-name="' + type + '"]');
        if (!script.length) return;
        var template = $('<div>').html(script.html());
        template.find('[data-socomec-rows]').each(function () {
            var holder = $(this);
            holder.replaceWith(holder.attr('data-socomec-rows').split(/\s+/).map(function (name) { return row(type, name); }));
        });
        template.find('[data-socomec-group]').each(function () {
            var holder = $(this);
            var group = holder.attr('data-socomec-group');
            var names = Object.keys(schema.nodes[type]).filter(function (name) { return schema.nodes[type][name].group === group; });
            holder.replaceWith(names.map(function (name) {
                var one = row(type, name).css('padding-left', '20px');
                one.children('label').first().remove();
                var key = holder.attr('data-socomec-label');
                // "allowMaxCurrents" is labelled with the reset's own name, under "<type>.reset.maxCurrents".
                if (key) one.children('label').attr('data-i18n', type + '.' + key + '.' + name.charAt(5).toLowerCase() + name.slice(6));
                return one;
            }));
        });
        template.find('[data-socomec-choices]').each(function () {
            var name = $(this).attr('data-socomec-choices');
            $(this).append(options(type, name, schema.nodes[type][name]));
        });
        // As text: .html() would parse a template holding <style> into elements under the script.
        script.text(template.html());
    }

    /** The choices of a setting (for checkbox lists such as read-measurements' groups). */
    function choices(type, name) {
        return schema.nodes[type][name].choices.slice();
    }

    /**
     * A flow node's definition: the palette category, colour, labels, defaults from the
     * schema and the shared rows' behaviour, with the node's own `definition` on top.
     */
    function flowNode(type, definition) {
        expandTemplate(type);
        var nodeSchema = schema.nodes[type];
        var own = definition.oneditprepare;
        var result = $.extend({
            category: 'Socomec DIRIS',
            color: '#8fc6e4',
            defaults: defaults(type),
            inputs: 1,
            outputs: 1,
            paletteLabel: function () {
                return this._(type + '.paletteLabel');
            },
            label: function () {
                return this.name || this._(type + '.paletteLabel') + ' ' + this.unitId;
            },
            labelStyle: function () {
                return this.name ? 'node_label_italic' : '';
            },
        }, definition);
        result.oneditprepare = function () {
            Object.keys(nodeSchema).forEach(function (name) {
                var spec = nodeSchema[name];
                if (spec.type === 'integer' || spec.type === 'number') $('#node-input-' + name).spinner({ min: spec.min, max: spec.max });
            });
            // A flow from before models reads the A-20 table.
            if (nodeSchema.model && !this.model) $('#node-input-model').val(nodeSchema.model.whenAbsent);
            if (own) own.call(this);
        };
        return result;
    }

    /** The config node's definition: defaults from the schema, the rest its own. */
    function configNode(type, definition) {
        expandTemplate(type);
        return $.extend({ category: 'config', defaults: defaults(type) }, definition);
    }

    window.SocomecEditor = {
        flowNode: flowNode,
        configNode: configNode,
        choices: choices,
        /** A setting's default for a new node. */
        defaultValue: function (type, name) {
            var value = schema.nodes[type][name].value;
            return Array.isArray(value) ? value.slice() : value;
        },
        /** A setting's schema entry. */
        spec: function (type, name) {
            return schema.nodes[type][name];
        },
        /** The model a flow saved before the Model option reads with. */
        modelWhenAbsent: function (type) {
            return schema.nodes[type].model.whenAbsent;
        },
        /** The names of a node's settings. */
        settings: function (type) {
            return Object.keys(schema.nodes[type]);
        },
    };
})();
